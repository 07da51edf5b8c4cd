"""The portal's views, by who reads them: sign-in, partners, the steward, analysts."""
