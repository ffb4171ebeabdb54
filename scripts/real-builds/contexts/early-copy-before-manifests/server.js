const express = require("express");

const app = express();
app.get("/", (req, res) => res.send("hello"));

if (process.argv.includes("--check")) {
  console.log("express", require("express/package.json").version);
} else {
  app.listen(3000);
}
