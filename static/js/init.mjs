// Starts GOV.UK Frontend's components (menus, error summaries, notification banners).
import { initAll } from "/static/govuk-frontend/govuk-frontend.min.js";

initAll();
