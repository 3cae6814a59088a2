// A real OpenID Connect provider (panva/oidc-provider, OpenID certified) for the loket's
// development and tests. `hub oidc up` writes the configuration file and starts this script;
// users, clients and ports come from that file, the signing key from a file next to it.
//
//   node server.mjs <config.json>
//
// Only the sign-in page is our own (demo users with a password); everything else is the library.
import { createServer } from 'node:http';
import { generateKeyPairSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));

function signingKeys(path) {
  if (!existsSync(path)) {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('hex'), use: 'sig', alg: 'RS256' };
    writeFileSync(path, JSON.stringify({ keys: [jwk] }), { mode: 0o600 });
  }
  return JSON.parse(readFileSync(path, 'utf8'));
}

const users = config.users; // login -> { password, sub, claims }
const bySub = new Map(Object.values(users).map((u) => [u.sub, u]));

const provider = new Provider(config.issuer, {
  clients: config.clients,
  jwks: signingKeys(config.jwks_file),
  cookies: { keys: config.cookie_keys },
  claims: { openid: ['sub'], hub: config.claim_names },
  scopes: ['openid', 'hub'],
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
  ttl: { Session: 8 * 3600, Interaction: 600, IdToken: 3600, AccessToken: 3600, Grant: 8 * 3600 },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, sub) {
    const user = bySub.get(sub);
    if (!user) return undefined;
    return { accountId: sub, async claims() { return { sub, ...user.claims }; } };
  },
  // The loket is a first-party client: its scopes need no separate consent screen.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid hub');
    grant.addOIDCClaims(['sub', ...config.claim_names]);
    await grant.save();
    return grant;
  },
});

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(uid, error) {
  return `<!doctype html><html lang="nl"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Inloggen (ontwikkelomgeving)</title></head><body>
<main><h1>Inloggen</h1><p>Lokale identiteitsprovider voor ontwikkeling en tests.</p>
${error ? `<p role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<p><label for="login">Gebruikersnaam</label><br><input id="login" name="login" autocomplete="username" required></p>
<p><label for="password">Wachtwoord</label><br><input id="password" name="password" type="password" autocomplete="current-password" required></p>
<p><button type="submit">Inloggen</button></p>
</form></main></body></html>`;
}

function passwordMatches(user, given) {
  const a = Buffer.from(user ? user.password : 'x');
  const b = Buffer.from(given || '');
  return user !== undefined && a.length === b.length && timingSafeEqual(a, b);
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 10000) break;
  }
  return new URLSearchParams(body);
}

const callback = provider.callback();
// The sign-in form's answer redirects on to the client: form-action must allow its origins.
const clientOrigins = [...new Set(config.clients.flatMap((c) => c.redirect_uris.map((u) => new URL(u).origin)))];
const HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': `default-src 'none'; form-action 'self' ${clientOrigins.join(' ')}; frame-ancestors 'none'`,
};

const server = createServer(async (req, res) => {
  const match = /^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/.exec(req.url.split('?')[0]);
  if (!match) return callback(req, res);
  try {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== match[1]) throw new Error('interaction mismatch');
    if (req.method === 'GET' && !match[2]) {
      res.writeHead(200, HEADERS);
      return res.end(page(details.uid));
    }
    if (req.method === 'POST' && match[2]) {
      const form = await readForm(req);
      const user = users[form.get('login')];
      if (!passwordMatches(user, form.get('password'))) {
        res.writeHead(401, HEADERS);
        return res.end(page(details.uid, 'Onbekende gebruikersnaam of verkeerd wachtwoord.'));
      }
      return provider.interactionFinished(req, res, { login: { accountId: user.sub } }, { mergeWithLastSubmission: false });
    }
    res.writeHead(405, HEADERS);
    return res.end('');
  } catch (err) {
    res.writeHead(400, HEADERS);
    return res.end('<!doctype html><html lang="nl"><title>Fout</title><p>Deze inlogpoging is verlopen; begin opnieuw.</p></html>');
  }
});

server.listen(config.port, config.host, () => {
  console.log(`oidc provider ${config.issuer} listening`);
});
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
