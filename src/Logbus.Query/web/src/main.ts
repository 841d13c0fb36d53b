import "./styles.css";
import { mountKeyBadge } from "./api-key";
import { mountImportsPage } from "./imports-page";
import { mountSearchPage } from "./search-page";
import { initTheme } from "./theme";
import { initTimeZone } from "./time-format";

const main = document.getElementById("main")!;
const page = location.pathname.replace(/\/+$/, "") === "/imports" ? "imports" : "search";
for (const link of document.querySelectorAll<HTMLAnchorElement>("nav a[data-page]")) {
  if (link.dataset.page === page) link.setAttribute("aria-current", "page");
}
document.title = page === "imports" ? "Imports · Logbus" : "Search · Logbus";
initTheme(document.getElementById("theme") as HTMLButtonElement);
mountKeyBadge(document.querySelector<HTMLElement>("header.top")!);
initTimeZone(document.getElementById("time-zone") as HTMLButtonElement);
if (page === "imports") mountImportsPage(main);
else mountSearchPage(main);
