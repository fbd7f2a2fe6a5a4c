// ESLint for the SPA, its tests, the end-to-end specs and the build scripts.
// `npm run lint` runs `tsc --noEmit` first, then this; warnings fail the run too.
import { readdirSync } from "node:fs";
import path from "node:path";
import js from "@eslint/js";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import { importX } from "eslint-plugin-import-x";
import jsxA11y from "eslint-plugin-jsx-a11y";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

const here = import.meta.dirname;
const folders = (dir) =>
  readdirSync(path.join(here, dir), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);

// The layers of src/ (see README.md): app/ puts pages together from features; each folder of
// features/ stands alone; everything else except test/ (api, components, lib, types…) is shared
// code. Both lists are read from the folders, so a new feature or shared folder is covered at once.
const features = folders("src/features");
const shared = folders("src").filter((name) => !["app", "features", "test"].includes(name));

/** Who may import whom, for `import-x/no-restricted-paths`. */
export const layerZones = [
  ...features.map((name) => ({
    target: `./src/features/${name}`,
    from: "./src/features",
    except: [`./${name}`],
    message: "A feature imports shared code, not another feature: put the page that combines them together in src/app/.",
  })),
  {
    target: "./src/features",
    from: "./src/app",
    message: "Features do not import the app: the app imports them.",
  },
  {
    target: shared.map((name) => `./src/${name}`),
    from: ["./src/features", "./src/app"],
    message: "Shared code imports no feature and nothing from the app.",
  },
];

export default tseslint.config(
  { ignores: ["dist/", "coverage/", "test-results/", "playwright-report/"] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ["src/**/*.{ts,tsx}"],
    extends: [reactHooks.configs.flat.recommended, jsxA11y.flatConfigs.recommended],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ["src/**/*.{ts,tsx}"],
    plugins: { "import-x": importX },
    settings: {
      // The rules read the imported files too: they are TypeScript, resolved as tsc resolves them.
      "import-x/extensions": [".ts", ".tsx", ".js"],
      "import-x/parsers": { "@typescript-eslint/parser": [".ts", ".tsx"] },
      "import-x/resolver-next": [createTypeScriptImportResolver({ project: path.join(here, "tsconfig.json") })],
    },
    rules: {
      "import-x/no-restricted-paths": ["error", { basePath: here, zones: layerZones }],
      // Imports of types only are left out: they vanish from the build and cannot cycle at run time.
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
    },
  },
  {
    files: ["e2e/**/*.ts", "scripts/**/*.mjs", "*.config.{js,ts}"],
    languageOptions: { globals: globals.node },
  },
  {
    rules: {
      // Unused names are an error, except the ones deliberately left out with a leading underscore.
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
);
