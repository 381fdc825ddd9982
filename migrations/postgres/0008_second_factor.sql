-- The second factor at login: TOTP (RFC 6238) secrets, one-time recovery codes, the roles that
-- must use it, and logins waiting for their code.

-- The enrolled secret (base32) and the one being enrolled; the last time step accepted, so a
-- code is never accepted twice.
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_pending TEXT;
ALTER TABLE users ADD COLUMN totp_step BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN totp_enrolled_at TEXT;

-- A session opened by an account whose role requires the second factor before it enrolled:
-- it may only enrol (or change its password, or log out).
ALTER TABLE sessions ADD COLUMN second_factor_due BIGINT NOT NULL DEFAULT 0;

-- Only the SHA-256 of a recovery code is stored; each works once.
CREATE TABLE recovery_codes (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    digest  TEXT NOT NULL,
    used_at TEXT,
    PRIMARY KEY (user_id, digest)
);

-- Roles whose accounts must use the second factor. Administrators by default: 等保 level 3
-- asks two kinds of authentication for them.
CREATE TABLE second_factor_roles (
    role TEXT PRIMARY KEY CHECK (role IN ('admin', 'bureau', 'county', 'enterprise', 'bank', 'expert'))
);
INSERT INTO second_factor_roles (role) VALUES ('admin');

-- A password accepted, the code not yet: the SHA-256 of the challenge the browser holds.
CREATE TABLE login_challenges (
    digest     TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client     TEXT NOT NULL,
    created_at TEXT NOT NULL
);
