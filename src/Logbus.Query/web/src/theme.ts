const KEY = "logbus-theme";

/** Light or dark: the system's choice until the reader picks one, which is then remembered. */
export function initTheme(button: HTMLButtonElement): void {
  const system = window.matchMedia("(prefers-color-scheme: dark)");
  const stored = () => localStorage.getItem(KEY);
  const current = () => stored() ?? (system.matches ? "dark" : "light");
  const apply = () => {
    const theme = current();
    document.documentElement.dataset.theme = theme;
    const other = theme === "dark" ? "light" : "dark";
    button.textContent = other === "dark" ? "Dark" : "Light";
    button.setAttribute("aria-label", `Switch to ${other} theme`);
  };
  button.addEventListener("click", () => {
    localStorage.setItem(KEY, current() === "dark" ? "light" : "dark");
    apply();
  });
  system.addEventListener("change", apply);
  apply();
}
