import { execa } from "execa";

export const pull = () => execa("git", ["pull"]);
