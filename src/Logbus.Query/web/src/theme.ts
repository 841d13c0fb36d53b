const KEY = "logbus-theme";

/**
 * Light or dark: the system's choice until the reader picks one, which is then remembered. A link may name one
 * (?theme=dark or ?theme=light, for a screenshot or a wall screen); it holds for that page without being remembered.
 */
export function initTheme(button: HTMLButtonElement): void {
  const system = window.matchMedia("(prefers-color-scheme: dark)");
  let linked = themeInUrl();
  const stored = () => localStorage.getItem(KEY);
  const current = () => linked ?? stored() ?? (system.matches ? "dark" : "light");
  const apply = () => {
    const theme = current();
    document.documentElement.dataset.theme = theme;
    const other = theme === "dark" ? "light" : "dark";
    button.textContent = other === "dark" ? "Dark" : "Light";
    button.setAttribute("aria-label", `Switch to ${other} theme`);
  };
  button.addEventListener("click", () => {
    localStorage.setItem(KEY, current() === "dark" ? "light" : "dark");
    if (linked) {
      // The reader's own pick from now on: the address stops overriding it.
      linked = null;
      const params = new URLSearchParams(location.search);
      params.delete("theme");
      history.replaceState(history.state, "", `${location.pathname}${params.size ? `?${params}` : ""}`);
    }
    apply();
  });
  system.addEventListener("change", apply);
  apply();
}

/** The theme the page's address names, if any: search links keep carrying it. */
export function themeInUrl(): "dark" | "light" | null {
  const value = new URLSearchParams(location.search).get("theme");
  return value === "dark" || value === "light" ? value : null;
}
