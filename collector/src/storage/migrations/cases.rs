//! The cases step's schema, the same on both engines (`migrations`' SQLite step 8 and
//! PostgreSQL step 3).

/// The cases tables, for both engines (SQLite's integers are spelled `INTEGER` there; every
/// integer is a `BIGINT` so both engines read it as one). A case is keyed by the response
/// that opened it (one case per response); an alert by its `key` (one alert per thing to
/// tell, however many collectors try); a job by its alert and channel.
pub const CASES: &str = "CREATE TABLE cases (
        id               TEXT PRIMARY KEY,
        response_id      TEXT NOT NULL UNIQUE,
        survey           TEXT NOT NULL,
        store            TEXT,
        advisor          TEXT,
        visit            TEXT,
        category         TEXT NOT NULL,
        score            BIGINT NOT NULL,
        state            TEXT NOT NULL,
        reopens          BIGINT NOT NULL,
        owner            TEXT,
        root_cause       TEXT,
        callback         BIGINT NOT NULL,
        received_ns      BIGINT NOT NULL,
        deadline_ns      BIGINT NOT NULL,
        first_contact_ns BIGINT,
        resolved_ns      BIGINT,
        recovery_score   BIGINT,
        recovery_ns      BIGINT,
        recovery_response TEXT,
        updated_ns       BIGINT NOT NULL
    );
    CREATE INDEX cases_state ON cases (state, deadline_ns);
    CREATE INDEX cases_store ON cases (store, state);
    CREATE TABLE case_events (
        case_id    TEXT NOT NULL REFERENCES cases (id),
        seq        BIGINT NOT NULL,
        at_ns      BIGINT NOT NULL,
        who        TEXT NOT NULL,
        what       TEXT NOT NULL,
        note       TEXT,
        root_cause TEXT,
        owner      TEXT,
        score      BIGINT,
        PRIMARY KEY (case_id, seq)
    );
    CREATE TABLE alerts (
        id         TEXT PRIMARY KEY,
        key        TEXT NOT NULL UNIQUE,
        kind       TEXT NOT NULL,
        case_id    TEXT REFERENCES cases (id),
        body       TEXT,
        created_ns BIGINT NOT NULL,
        due_ns     BIGINT NOT NULL,
        fanned_ns  BIGINT
    );
    CREATE INDEX alerts_to_fan ON alerts (due_ns) WHERE fanned_ns IS NULL;
    CREATE INDEX alerts_case ON alerts (case_id);
    CREATE TABLE alert_jobs (
        alert_id       TEXT NOT NULL REFERENCES alerts (id),
        channel        TEXT NOT NULL,
        state          TEXT NOT NULL,
        attempts       BIGINT NOT NULL,
        last_outcome   TEXT,
        last_at_ns     BIGINT,
        retry_after_s  BIGINT,
        next_ns        BIGINT NOT NULL,
        lease_owner    TEXT,
        lease_until_ns BIGINT,
        reason         TEXT,
        sent_ns        BIGINT,
        PRIMARY KEY (alert_id, channel)
    );
    CREATE INDEX alert_jobs_due ON alert_jobs (next_ns) WHERE state = 'pending';
    CREATE INDEX alert_jobs_sent ON alert_jobs (channel, last_at_ns);";
