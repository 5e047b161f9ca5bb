/** The github provider's API when a fabric names none; GitHub Enterprise Server: https://<host>/api/v3. */
export const DEFAULT_GITHUB_API_URL = "https://api.github.com";
