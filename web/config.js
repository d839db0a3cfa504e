// Deployment settings for the Reelsmith web client. This is the only file to edit when the
// static files are served from a CDN (R2, S3, Pages...) on another origin than the API.
// Supabase settings are not here: the client reads them from GET <apiBase>/api/auth/config.
export default Object.freeze({
  // "" means same origin: the client is served by the API itself (`reelsmith serve`).
  // Otherwise the API's absolute URL, for example "https://api.reelsmith.example".
  apiBase: "",
  // How often the generate screen asks the API for progress, in milliseconds.
  pollIntervalMs: 1500,
});
