// A real OpenID provider on loopback for the sign-in tests: the npm package oidc-provider,
// with its own sign-in pages (any name and password signs in as that account). The test
// decides each account's email address and groups, and may change them between sign-ins.
import Provider from 'oidc-provider';
import { freePort } from './helpers.js';

export const CLIENT_ID = 'dignity-test';
export const CLIENT_SECRET = 'a-test-only-client-secret-for-the-browser-tests';

/**
 * Starts the provider. `dignityUrl` is where Dignity runs (for the addresses the provider
 * may send people back to). Returns its issuer, the accounts map and `stop()`.
 */
export async function startProvider(dignityUrl) {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  /** account id -> { email, name, groups } */
  const accounts = new Map();
  const provider = new Provider(issuer, {
    clients: [{
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uris: [`${dignityUrl}/sign-in/callback`],
      post_logout_redirect_uris: [`${dignityUrl}/signed-out`],
      response_types: ['code'],
      grant_types: ['authorization_code'],
    }],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'groups'],
    },
    // Dignity reads the email address and groups from the ID token, as Entra ID sends them.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: true },
      rpInitiatedLogout: { enabled: true },
    },
    cookies: { keys: ['a-test-only-cookie-key-for-the-browser-tests'] },
    async findAccount(_ctx, id) {
      return {
        accountId: id,
        async claims() {
          const account = accounts.get(id) ?? { email: `${id}@example.invalid`, name: id, groups: [] };
          return { sub: id, email: account.email, email_verified: true, name: account.name, groups: account.groups };
        },
      };
    },
  });
  // Its warnings about development settings are expected here.
  provider.on('server_error', (_ctx, error) => { console.log(`provider error: ${error}`); });
  const server = provider.listen(port, '127.0.0.1');
  await new Promise((ok) => server.once('listening', ok));
  return {
    issuer,
    accounts,
    async stop() {
      await new Promise((ok) => server.close(ok));
    },
  };
}
