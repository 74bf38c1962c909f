// Headway's one script: start GOV.UK Frontend's components. Every page works without it.
import { initAll } from "./govuk-frontend.min.js";
initAll();
