const http = require("node:http");
const { version } = require("./version");

http.createServer((req, res) => res.end(version())).listen(3000);
