// The console's entry: learns how to sign in (console/config.json), asks for the credential once, then
// shows the page the URL's hash names.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api } from "./api.js";
import { beginSignIn, completeSignIn, credential, forget, loadConfig, onSignedOut, remember, signOutUrl, type ConsoleAuth } from "./auth.js";
import { DraftsPage } from "./pages/drafts.js";
import { FabricPage } from "./pages/fabric.js";
import { FabricsPage } from "./pages/fabrics.js";
import { ResourcePage } from "./pages/resource.js";
import { RunPage, RunsPage } from "./pages/runs.js";
import { useRoute } from "./router.js";
import { html, Problem } from "./ui.js";

function TokenPrompt({ reason, onSignedIn }: { reason: string | null; onSignedIn: () => void }) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(reason);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    remember(token.trim());
    try {
      await api.fabrics();
      onSignedIn();
    } catch (e) {
      forget();
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return html`<div class="page signin">
    <h1>Sign in</h1>
    <form onSubmit=${submit} aria-describedby="token-hint">
      <label for="token">API token</label>
      <input id="token" name="token" type="password" autocomplete="off" required value=${token} aria-invalid=${error ? true : undefined} aria-describedby=${error ? "token-error" : undefined} onInput=${(e: Event) => setToken((e.target as HTMLInputElement).value)} />
      <p id="token-hint" class="muted">The local stack prints it at start and saves it in <code>.data/token</code>. It is kept for this browser tab only.</p>
      ${error ? html`<p id="token-error" class="field-error" role="alert"><span aria-hidden="true">✖ </span>${error}</p>` : null}
      <button type="submit" disabled=${busy || token.trim() === ""}>Sign in</button>
    </form>
  </div>`;
}

function Pages() {
  const route = useRoute();
  if (!route) return html`<div class="page"><h1>Not found</h1><p><a href="#/">Back to the fabrics</a></p></div>`;
  switch (route.page) {
    case "fabrics":
      return html`<${FabricsPage} />`;
    case "fabric":
      return html`<${FabricPage} key=${route.params.id} route=${route} />`;
    case "resource":
      return html`<${ResourcePage} route=${route} />`;
    case "runs":
      return html`<${RunsPage} route=${route} />`;
    case "run":
      return html`<${RunPage} key=${route.params.runId} route=${route} />`;
    case "drafts":
      return html`<${DraftsPage} route=${route} />`;
  }
}

function App({ auth }: { auth: ConsoleAuth }) {
  const [signedIn, setSignedIn] = useState(credential() !== null);
  const [reason, setReason] = useState<string | null>(null);
  useEffect(() => {
    onSignedOut((why) => {
      setReason(why);
      setSignedIn(false);
    });
    if (auth.mode === "jwt") {
      completeSignIn(auth).then((outcome) => {
        if (outcome === "") setSignedIn(true);
        else if (outcome) setReason(outcome);
      }, (e: unknown) => setReason(String(e)));
    }
  }, []);
  const signOut = () => {
    forget();
    const url = signOutUrl(auth);
    if (url) location.assign(url);
    else setSignedIn(false);
  };
  let body;
  if (auth.mode === "iam") {
    body = html`<div class="page"><h1>This API uses IAM authorization</h1>
      <p>A browser cannot sign requests with SigV4. Use the CLI (<code>hh-gitops --aws …</code>), or deploy the stack with <code>auth: "jwt"</code> to use the console (docs/DEPLOY.md).</p></div>`;
  } else if (!signedIn && auth.mode === "jwt") {
    body = html`<div class="page signin"><h1>Sign in</h1>${reason ? html`<p class="field-error" role="alert">${reason}</p>` : null}
      <button type="button" onClick=${() => beginSignIn(auth)}>Sign in with your identity provider</button></div>`;
  } else if (!signedIn) {
    body = html`<${TokenPrompt} reason=${reason} onSignedIn=${() => { setReason(null); setSignedIn(true); }} />`;
  } else {
    body = html`<${Pages} />`;
  }
  return html`<a class="skip" href="#main" onClick=${(e: Event) => { e.preventDefault(); document.getElementById("main")?.focus(); }}>Skip to content</a>
    <header class="top"><a class="brand" href="#/">hedgehog-gitops</a>
      ${signedIn && auth.mode !== "iam" ? html`<button type="button" class="signout" onClick=${signOut}>Sign out</button>` : null}
    </header>
    <main id="main" tabindex="-1">${body}</main>`;
}

loadConfig().then(
  (auth) => render(html`<${App} auth=${auth} />`, document.getElementById("app")!),
  (error: unknown) => render(html`<main id="main"><${Problem} error=${error} /></main>`, document.getElementById("app")!),
);
