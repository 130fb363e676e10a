//! The provider's side of single sign-on, through the `openidconnect` crate over its reqwest
//! (rustls; redirects never followed, so the provider cannot send the collector elsewhere).
//!
//! ```text
//!  GET /signin/oidc ── begin ──▶ (authorization URL, Pending) ── 302 + cookie ──▶ provider
//!  provider ── GET /signin/oidc/callback?code&state ──▶ Pending from the cookie, state equal
//!        ── finish(code, Pending) ──▶ token exchange with the PKCE verifier ──▶ ID token:
//!           signature (the provider's keys), issuer, audience, expiry, nonce ──▶ Claims
//! ```
//!
//! Discovery is lazy: the collector starts and serves answers whatever the provider's state;
//! the first sign-in discovers the provider (`{issuer}/.well-known/openid-configuration` and
//! its keys), a failure is a page that says to try again and is retried at the next sign-in,
//! and a discovery older than `REDISCOVER` (or one whose keys no longer verify a token) is
//! done again, so the provider may rotate its keys.

use std::sync::Arc;
use std::time::{Duration, Instant};

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreErrorResponseType,
    CoreGenderClaim, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreProviderMetadata, CoreRevocationErrorResponse, CoreTokenIntrospectionResponse,
    CoreTokenType,
};
use openidconnect::{
    reqwest, AdditionalClaims, AuthorizationCode, ClaimsVerificationError, Client, ClientId,
    ClientSecret, CsrfToken, EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet,
    IdTokenFields, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    StandardErrorResponse, StandardTokenResponse, TokenResponse,
};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use super::{Claims, Sso};

/// How long a discovery (the endpoints and the provider's keys) is used before it is done
/// again.
pub const REDISCOVER: Duration = Duration::from_secs(3600);
/// The longest wait for the provider (discovery, the token exchange).
pub const PROVIDER_TIMEOUT: Duration = Duration::from_secs(10);

/// The ID token's `groups` claim (not a standard one): a list of names, or none.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct Groups {
    #[serde(default)]
    groups: Vec<String>,
}

impl AdditionalClaims for Groups {}

type Fields = IdTokenFields<
    Groups,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type Tokens = StandardTokenResponse<Fields, CoreTokenType>;
type OidcClient = Client<
    Groups,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    Tokens,
    CoreTokenIntrospectionResponse,
    openidconnect::core::CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// A sign-in under way: what the callback needs, kept in the browser that started it
/// (`routes`' cookie) and nowhere else.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    /// The `state` sent to the provider, which must come back.
    pub state: String,
    /// The `nonce` the ID token must carry.
    pub nonce: String,
    /// The PKCE verifier (its S256 challenge went to the provider).
    pub verifier: String,
    /// Where to go once signed in (a local path).
    pub next: String,
}

/// Why the provider's side failed.
#[derive(Debug)]
pub enum Failure {
    /// Discovery failed: the provider is down or misconfigured.
    Unreachable(String),
    /// The token exchange failed (a used or expired code, a wrong secret, a wrong verifier).
    Exchange(String),
    /// The ID token is missing or fails a check (signature, issuer, audience, nonce, expiry).
    IdToken(String),
}

impl Failure {
    /// The audit trail's `why`.
    pub fn key(&self) -> &'static str {
        match self {
            Failure::Unreachable(_) => "provider_unreachable",
            Failure::Exchange(_) => "token_exchange",
            Failure::IdToken(_) => "id_token",
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (what, why) = match self {
            Failure::Unreachable(w) => ("discovery", w),
            Failure::Exchange(w) => ("the code exchange", w),
            Failure::IdToken(w) => ("the ID token", w),
        };
        write!(f, "{what}: {why}")
    }
}

/// The provider as the collector knows it: the settings, and the last discovery.
pub struct Provider {
    sso: Arc<Sso>,
    http: reqwest::Client,
    discovered: Mutex<Option<(Arc<OidcClient>, Instant)>>,
}

impl Provider {
    pub fn new(sso: Arc<Sso>) -> Provider {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(PROVIDER_TIMEOUT)
            .build()
            .expect("an HTTP client with rustls builds");
        Provider {
            sso,
            http,
            discovered: Mutex::new(None),
        }
    }

    pub fn sso(&self) -> &Sso {
        &self.sso
    }

    /// The client of the last discovery, or of a fresh one.
    async fn client(&self) -> Result<Arc<OidcClient>, Failure> {
        let mut held = self.discovered.lock().await;
        if let Some((client, at)) = held.as_ref() {
            if at.elapsed() < REDISCOVER {
                return Ok(client.clone());
            }
        }
        let issuer = IssuerUrl::new(self.sso.issuer.clone())
            .map_err(|e| Failure::Unreachable(format!("issuer: {e}")))?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| Failure::Unreachable(chain(&e)))?;
        let redirect = RedirectUrl::new(self.sso.redirect_url.clone())
            .map_err(|e| Failure::Unreachable(format!("redirect_url: {e}")))?;
        let client = OidcClient::from_provider_metadata(
            metadata,
            ClientId::new(self.sso.client_id.clone()),
            Some(ClientSecret::new(self.sso.client_secret.0.clone())),
        )
        .set_redirect_uri(redirect);
        let client = Arc::new(client);
        *held = Some((client.clone(), Instant::now()));
        Ok(client)
    }

    /// Forgets the discovery, so the next sign-in fetches the provider's keys again.
    async fn forget(&self) {
        *self.discovered.lock().await = None;
    }

    /// The provider's authorization URL for a new sign-in (code flow, PKCE S256, a fresh
    /// state and nonce), and what the callback will need.
    pub async fn begin(&self, next: &str) -> Result<(String, Pending), Failure> {
        let client = self.client().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge);
        for scope in &self.sso.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.url();
        let pending = Pending {
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            verifier: verifier.secret().clone(),
            next: next.to_owned(),
        };
        Ok((url.to_string(), pending))
    }

    /// The code exchanged (with the verifier) and the ID token checked: its claims.
    pub async fn finish(&self, code: &str, pending: &Pending) -> Result<Claims, Failure> {
        let client = self.client().await?;
        let tokens = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| Failure::Exchange(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(|e| Failure::Exchange(chain(&e)))?;
        let token = tokens
            .id_token()
            .ok_or_else(|| Failure::IdToken("the provider sent no ID token".into()))?;
        let verifier = client.id_token_verifier();
        let claims = match token.claims(&verifier, &Nonce::new(pending.nonce.clone())) {
            Ok(c) => c,
            Err(e) => {
                if matches!(e, ClaimsVerificationError::SignatureVerification(_)) {
                    // Perhaps new keys: the next sign-in discovers them.
                    self.forget().await;
                }
                return Err(Failure::IdToken(e.to_string()));
            }
        };
        Ok(Claims {
            email: claims.email().map(|e| e.as_str().to_owned()),
            email_verified: claims.email_verified(),
            groups: claims.additional_claims().groups.clone(),
        })
    }
}

/// An error and its sources, on one line (for the log).
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}
