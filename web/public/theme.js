/* global window, document */
// Runs before the first paint (a classic script in <head>, allowed by the CSP's 'self'):
// the theme this browser last used, kept in step with the account after login, so a dark
// page never flashes light. src/lib/theme/theme.ts does the same once the app runs.
(function () {
  var choice = "system";
  try {
    choice = window.localStorage.getItem("taskforge-theme") || "system";
  } catch (error) {
    // Storage refused (a privacy mode): follow the system.
  }
  var dark =
    choice === "dark" ||
    (choice !== "light" && !!window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches);
  document.documentElement.setAttribute("data-bs-theme", dark ? "dark" : "light");
})();
