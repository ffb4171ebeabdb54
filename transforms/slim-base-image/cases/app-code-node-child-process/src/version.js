const { execFileSync } = require("node:child_process");

exports.version = () => execFileSync("git", ["describe", "--tags"]).toString().trim();
