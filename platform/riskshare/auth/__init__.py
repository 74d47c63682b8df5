"""Authentication and authorisation.

Identity lives in Keycloak (OIDC); this package turns a bearer access token into verified claims
(`riskshare.auth.tokens`). Embedded mode signs its own tokens with a local development key, and
they are checked by exactly the same verifier so the two modes cannot drift apart.
"""
