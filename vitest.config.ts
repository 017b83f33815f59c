import { defineConfig } from "vitest/config";
import { testsLackingTools } from "./test/required-tools.js";

export default defineConfig({
  test: {
    include: ["src/**/*.test.{ts,tsx}", "test/**/*.test.{ts,tsx}"],
    exclude: ["dist/**", "node_modules/**", "test/lab/**", ...testsLackingTools()],
  },
});
