//! The growth step's schema, the same on both engines (`migrations`' SQLite step 9 and
//! PostgreSQL step 4): the collector's own keys, the visits a brand invited, what each stored
//! answer's device and network hash to, and the referrals promoters share with what follows;
//! then (`VISITS`, SQLite step 10 and PostgreSQL step 5) each visit's channel and who
//! reported each visit and event.

/// The tables, for both engines (SQLite spells `BIGINT` `INTEGER`).
///
/// - `server_keys`: random keys the collector makes once and every collector on the database
///   shares (the referral codes' tag, the device and network hashes); never shown.
/// - `visits`: one row per invited visit (`POST /api/visits`, `sign-visit`, `qr --csv`), keyed
///   like an answer (`survey`, `visit`); `opened_ns` when its landing page first opened.
/// - `referrals`: a promoter's code, one per answer, with the answer's store and advisor
///   (never a phone); `device` is the promoter's device hash (a friend's open from it is the
///   promoter's own); `shared_ns` when the promoter first shared it; `name` what the promoter
///   chose to be called on the poster and in the store's thank-you (王先生), if anything.
/// - `referral_opens`: one row per code and device (repeated opens count once); `own` marks
///   the promoter's own device.
/// - `referral_events`: a friend booked or bought (`kind`), reported by the brand's system
///   (`via` `api`, `ref` its own id, once per code, kind and ref) or the collector's booking
///   form (`via` `form`, with the friend's name (称呼), phone and `preferred_date`
///   (`YYYY-MM-DD`, if given), the phone removed at `purge_after_ns`, the survey's retention).
pub const GROWTH: &str = "CREATE TABLE server_keys (
        name       TEXT PRIMARY KEY,
        value      TEXT NOT NULL,
        created_ns BIGINT NOT NULL
    );
    CREATE TABLE visits (
        survey      TEXT NOT NULL,
        visit       TEXT NOT NULL,
        store       TEXT,
        advisor     TEXT,
        touchpoint  TEXT,
        issued_ns   BIGINT NOT NULL,
        source      TEXT NOT NULL,
        recorded_ns BIGINT NOT NULL,
        opened_ns   BIGINT,
        PRIMARY KEY (survey, visit)
    );
    CREATE INDEX visits_store ON visits (store, issued_ns);
    CREATE INDEX visits_issued ON visits (issued_ns);
    CREATE TABLE referrals (
        code        TEXT PRIMARY KEY,
        response_id TEXT NOT NULL UNIQUE,
        survey      TEXT NOT NULL,
        store       TEXT,
        advisor     TEXT,
        visit       TEXT,
        device      TEXT,
        created_ns  BIGINT NOT NULL,
        shared_ns   BIGINT,
        name        TEXT
    );
    CREATE INDEX referrals_store ON referrals (store, created_ns);
    CREATE TABLE referral_opens (
        code   TEXT NOT NULL REFERENCES referrals (code),
        device TEXT NOT NULL,
        at_ns  BIGINT NOT NULL,
        own    BIGINT NOT NULL,
        PRIMARY KEY (code, device)
    );
    CREATE TABLE referral_events (
        id           TEXT PRIMARY KEY,
        code         TEXT NOT NULL REFERENCES referrals (code),
        kind         TEXT NOT NULL,
        ref          TEXT,
        via          TEXT NOT NULL,
        at_ns        BIGINT NOT NULL,
        friend_name  TEXT,
        friend_phone TEXT,
        preferred_date TEXT,
        purge_after_ns BIGINT,
        UNIQUE (code, kind, ref)
    );
    CREATE INDEX referral_events_code ON referral_events (code, kind);
    CREATE INDEX referral_events_purge ON referral_events (purge_after_ns)
        WHERE purge_after_ns IS NOT NULL;";

/// What the visits' step does (SQLite step 10, PostgreSQL step 5).
pub const VISITS_WHAT: &str =
    "how each visit's invitation reached the customer; who reported each visit and event";

/// The visits' step, the same on both engines:
///
/// - `visits.channel`: `counter` (a QR or link handed at the store: `sign-visit`, `qr`) or
///   `message` (an SMS or WeChat message a brand's system sent; `POST /api/visits`' default).
///   The visits recorded before it are `counter` when the link commands made them, else
///   `message`. The at-counter flag reads it.
/// - `visits.reported_by`, `referral_events.reported_by`: who reported the row, as the audit
///   trail names callers (`token:ID`, `user:EMAIL`, `admin-token`, `cli`); `NULL` for rows
///   from before it and for the booking form's events (`via` `form`: the friend).
pub const VISITS: &str = "ALTER TABLE visits ADD COLUMN channel TEXT NOT NULL DEFAULT 'message';
    UPDATE visits SET channel = 'counter' WHERE source IN ('sign-visit', 'qr');
    ALTER TABLE visits ADD COLUMN reported_by TEXT;
    ALTER TABLE referral_events ADD COLUMN reported_by TEXT;";

/// The answers' device and network hashes (`HMAC` of the client's address and browser, and
/// of its network: never the address itself), for the coaching flags.
pub const ANSWER_MARKS: [(&str, &str); 2] = [("device", "TEXT"), ("net", "TEXT")];

/// What the referral trust step does (both engines).
pub const REFERRAL_TRUST_WHAT: &str =
    "referrals: each open's cookie-less mark and network, the promoter's, and the day's counts";

/// The referral trust step, for both engines (SQLite spells `BIGINT` `INTEGER`):
///
/// - `referrals.device_fallback`: the promoter's device without its cookie (network and
///   steady browser name), so a friend's open from it is the promoter's own too;
/// - `referral_opens.fallback`, `.net`: an open's cookie-less mark and network; `own` is 0 for
///   a counted open, 1 for the promoter's own, 2 for an open kept uncounted (a device seen
///   before without its cookie, or a network past its day's opens);
/// - `referral_days`: how many form bookings a code (`code:…`) and a store (`store:…`) made
///   on a local day (`day`: days since the epoch), counted up in the booking's transaction.
pub const REFERRAL_TRUST: &str = "ALTER TABLE referrals ADD COLUMN device_fallback TEXT;
    ALTER TABLE referral_opens ADD COLUMN fallback TEXT;
    ALTER TABLE referral_opens ADD COLUMN net TEXT;
    CREATE INDEX referral_opens_fallback ON referral_opens (code, fallback);
    CREATE INDEX referral_opens_net ON referral_opens (code, net, at_ns);
    CREATE TABLE referral_days (
        key  TEXT NOT NULL,
        day  BIGINT NOT NULL,
        n    BIGINT NOT NULL,
        PRIMARY KEY (key, day)
    );";
