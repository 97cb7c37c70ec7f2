// A real OpenID Connect provider (panva's oidc-provider) for the single sign-on tests.
//
//   node tests/oidc/provider.mjs <port> <state.json>
//
// Listens on 127.0.0.1:<port> (issuer http://127.0.0.1:<port>) and prints "ready" once it
// answers. Clients, accounts and test switches are read from <state.json> at every use, so a
// test can remove a group, disable an account or register a redirect URI between two sign-ins:
//
//   {"clients": [{"client_id": "portal", "client_secret": "…", "redirect_uris": ["…"]}],
//    "accounts": {"ana": {"email": "…", "name": "…", "groups": ["…"], "disabled": false}},
//    "id_token_audience": null}
//
// An unknown or disabled account is refused: at the login form (disabled ends the sign-in with
// access_denied, as an organisation's provider refuses a leaver) and at the refresh-token grant
// (the provider no longer finds the account). "id_token_audience" re-signs ID tokens for another
// audience, as a provider misconfigured for another application would.
import { readFileSync } from 'node:fs';
import http from 'node:http';

import * as jose from 'jose';
import Provider from 'oidc-provider';
import MemoryAdapter from 'oidc-provider/lib/adapters/memory_adapter.js';

const [port, statePath] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;
const readState = () => JSON.parse(readFileSync(statePath, 'utf8'));

const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
const signingKey = { ...(await jose.exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };

// Clients come from the state file; everything else is kept in memory.
class StateFileAdapter extends MemoryAdapter {
  async find(id) {
    if (this.model !== 'Client') return super.find(id);
    const client = readState().clients.find((candidate) => candidate.client_id === id);
    if (!client) return undefined;
    return {
      ...client,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    };
  }
}

function enabledAccount(sub) {
  const account = readState().accounts[sub];
  return account && !account.disabled ? account : undefined;
}

const provider = new Provider(issuer, {
  adapter: StateFileAdapter,
  jwks: { keys: [signingKey] },
  cookies: { keys: ['test-provider-cookie-key'] },
  scopes: ['openid', 'email', 'profile', 'groups', 'offline_access'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    groups: ['groups'],
  },
  // Like Entra ID and Okta: the requested claims are in the ID token itself.
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  // A refresh token for every code (Entra and Okta issue one for offline_access; here without
  // the consent prompt that scope would otherwise need), valid beyond the browser session.
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
  expiresWithSession: async () => false,
  // Ten minutes: a test moves the portal's clock past it while the sign-in state (an hour) holds.
  ttl: { IdToken: 600, AccessToken: 3600, AuthorizationCode: 600, RefreshToken: 86400 },
  async findAccount(ctx, sub) {
    const account = enabledAccount(sub);
    if (!account) return undefined;
    return {
      accountId: sub,
      async claims() {
        return {
          sub,
          email: account.email,
          email_verified: account.email_verified ?? true,
          name: account.name,
          groups: account.groups,
        };
      },
    };
  },
});

provider.use(async (ctx, next) => {
  await next();
  const audience = readState().id_token_audience;
  if (ctx.path === '/token' && audience && ctx.body && ctx.body.id_token) {
    const claims = jose.decodeJwt(ctx.body.id_token);
    ctx.body.id_token = await new jose.SignJWT({ ...claims, aud: audience })
      .setProtectedHeader({ alg: 'RS256', kid: signingKey.kid })
      .sign(privateKey);
  }
});

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginForm(res, uid, clientId, error = '') {
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html lang="en"><head><title>Test provider: sign in</title><link rel="icon" href="data:,"></head><body>
<h1>Test provider</h1><p>Sign in to ${escape(clientId)}</p>
${error ? `<p role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${uid}/login">
<label for="login">Account</label> <input id="login" name="login" autofocus>
<button type="submit">Continue</button></form>
<form method="post" action="/interaction/${uid}/abort"><button type="submit">Deny</button></form>
</body></html>`);
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

async function interaction(req, res, uid, step) {
  const details = await provider.interactionDetails(req, res);
  const clientId = details.params.client_id;
  if (req.method === 'GET') return loginForm(res, uid, clientId);
  const form = await readForm(req);
  let result;
  if (step === 'abort') {
    result = { error: 'access_denied', error_description: 'The user declined to sign in.' };
  } else {
    const login = form.get('login') ?? '';
    const account = readState().accounts[login];
    if (!account) return loginForm(res, uid, clientId, `No account ${login}.`);
    if (account.disabled) {
      result = { error: 'access_denied', error_description: 'This account is disabled.' };
    } else {
      const grant = new provider.Grant({ accountId: login, clientId });
      grant.addOIDCScope(details.params.scope);
      result = { login: { accountId: login }, consent: { grantId: await grant.save() } };
    }
  }
  return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
}

const handle = provider.callback();
http
  .createServer((req, res) => {
    const match = new URL(req.url, issuer).pathname.match(/^\/interaction\/([^/]+)(?:\/(login|abort))?$/);
    if (!match) return handle(req, res);
    return interaction(req, res, match[1], match[2]).catch((error) => {
      res.writeHead(400, { 'Content-Type': 'text/plain' });
      res.end(`interaction failed: ${error.message}`);
    });
  })
  .listen(Number(port), '127.0.0.1', () => console.log('ready'));
