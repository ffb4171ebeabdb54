require("./deploy");
