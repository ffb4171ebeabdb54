require("bcrypt")
