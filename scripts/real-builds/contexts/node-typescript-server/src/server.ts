import http from "http";
import ms from "ms";

if (process.argv.includes("--check")) {
  console.log("uptime unit", ms(60000));
} else {
  http.createServer((_req, res) => res.end("hello\n")).listen(3000);
}
