// A real OpenID provider for the single sign-on end-to-end test (e2e/tests/oidc.rs):
// oidc-provider from npm (NPS_OIDC_PROVIDER names its entry module; `cargo xtask test`
// installs it into .tools/), on a loopback address of its own (127.0.0.2, so the collector
// on 127.0.0.1 is another site to the browser), a free port, one confidential client whose
// one redirect URI is the collector's callback (REDIRECT_URI; PKCE required), and test
// accounts whose ID tokens carry email, email_verified and groups. PORT picks its port. Its development login
// form lets any login with any password through; the login is the account's id.
// Prints `issuer http://127.0.0.2:PORT` once it listens.
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';

const { default: Provider } = await import(pathToFileURL(process.env.NPS_OIDC_PROVIDER).href);

const ACCOUNTS = {
  // A store manager of SZ-FT (group nps-store-SZ-FT in the test's rules).
  li: { email: 'li@brand.example', email_verified: true, groups: ['nps-store-SZ-FT', 'staff'] },
  // Someone no rule matches.
  guest: { email: 'guest@elsewhere.example', email_verified: true, groups: ['staff'] },
  // An email the provider has not verified.
  unverified: { email: 'wu@brand.example', email_verified: false, groups: ['nps-store-SZ-FT'] },
};

const host = '127.0.0.2';
const server = createServer();
await new Promise((done) => server.listen(Number(process.env.PORT || 0), host, done));
const issuer = `http://${host}:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'nps-collector',
    client_secret: process.env.CLIENT_SECRET,
    redirect_uris: [process.env.REDIRECT_URI],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  pkce: { required: () => true },
  scopes: ['openid', 'email', 'groups'],
  claims: { email: ['email', 'email_verified'], groups: ['groups'] },
  // The claims of the scopes asked go in the ID token, which the collector reads.
  conformIdTokenClaims: false,
  async findAccount(_ctx, id) {
    const account = ACCOUNTS[id];
    return account && { accountId: id, claims: async () => ({ sub: id, ...account }) };
  },
});
server.on('request', provider.callback());
console.log(`issuer ${issuer}`);
