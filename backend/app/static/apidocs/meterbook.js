// Swagger UI for the Meterbook API. The document is always this server's /apispec.json:
// no configuration is read from the page's URL (queryConfigEnabled stays false), there is
// no top bar to load another document, and no validator badge fetched from elsewhere.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/apispec.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    queryConfigEnabled: false,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
