//! `cargo xtask demo`: the widget and the dashboard built, the release collector, a fresh demo
//! set (a car brand's answers over six months, its names and org), a signed visit link, three
//! people to sign in as (an admin, a region manager, a store manager, each with an invite
//! link), and the collector serving it all on `--port` (`NPS_PORT`, default 8080).

use std::process::Command;
use std::{env, fs};

use crate::{cargo, dist, flag_value, root, run, step, target_dir, Result};

pub fn demo(args: &[String]) -> Result {
    let port = flag_value(args, "--port")
        .or_else(|| env::var("NPS_PORT").ok())
        .unwrap_or_else(|| "8080".into());
    // Where phones reach the demo (`--public-origin http://192.168.1.20:8080`): the posters'
    // QR codes, referral and visit links then work from a phone on the same network.
    let public = flag_value(args, "--public-origin")
        .or_else(|| env::var("NPS_PUBLIC_ORIGIN").ok())
        .map(|o| o.trim_end_matches('/').to_owned());
    let base = public
        .clone()
        .unwrap_or_else(|| format!("http://127.0.0.1:{port}"));
    let (dist, _) = dist::dist()?;
    step("build the collector");
    run(cargo().args(["build", "--release", "-p", "nps-collector"]))?;
    step(&format!("serve the demo on {base}/ (Ctrl-C to stop)"));
    println!("   brand site:   {base}/embed.html");
    println!("   WeChat H5:    {base}/wechat.html");
    println!("   triggers:     {base}/triggers.html");
    println!("   kiosk:        {base}/kiosk.html");
    if public.is_none() {
        println!(
            "   (from a phone: cargo xtask demo --public-origin http://<this machine's LAN address>:{port}, \
             so QR codes and posters point where a phone can reach)"
        );
    }
    // A fresh demo set each time: a car brand's answers over six months, with its names.
    let demo = target_dir().join("demo");
    let _ = fs::remove_dir_all(&demo);
    fs::create_dir_all(&demo).map_err(|e| format!("create {}: {e}", demo.display()))?;
    let collector = target_dir().join("release/nps-collector");
    let (db, names) = (demo.join("nps.db"), demo.join("names.json"));
    run(Command::new(&collector)
        .arg("seed")
        .arg("--db")
        .arg(&db)
        .args([
            "--responses",
            DEMO_RESPONSES,
            "--months",
            "6",
            "--names-out",
        ])
        .arg(&names))?;
    // Visit links are signed, as they must be in a real deployment: the secret is read from a
    // file, never given on a command line.
    let secret = demo.join("visit-secret");
    fs::write(&secret, demo_token()).map_err(|e| format!("write {}: {e}", secret.display()))?;
    let visit = format!("RO-{}", &demo_token()[..6].to_ascii_uppercase());
    let signed = Command::new(&collector)
        .arg("--visit-secret-file")
        .arg(&secret)
        .args(["sign-visit", "--base", &base])
        .args([
            "--survey",
            "after-sales",
            "--store",
            "SZ-FT",
            "--advisor",
            "wang",
        ])
        .args(["--visit", &visit])
        // Recorded as invited, so its page shows the visit's date and the funnel counts it.
        .arg("--db")
        .arg(&db)
        .output()
        .map_err(|e| format!("sign a visit link: {e}"))?;
    if !signed.status.success() {
        return Err(format!(
            "sign a visit link: {}",
            String::from_utf8_lossy(&signed.stderr)
        ));
    }
    println!(
        "   QR landing:   {}   (a signed link for repair order {visit}: answered once; a 9 or 10 \
         offers the promoter's own referral page, poster and booking link)",
        String::from_utf8_lossy(&signed.stdout).trim()
    );
    // The demo's people: an admin, a region manager and a store manager, each with a
    // one-time link to set a password (as `user add` gives a real brand's people).
    println!("   dashboard:    {base}/dashboard.html   (sign in as one of these:)");
    for (email, role, scope) in [
        ("admin@demo.example", "admin", None),
        ("east@demo.example", "region", Some(("--region", "east"))),
        ("li.na@demo.example", "store", Some(("--store", "SZ-FT"))),
    ] {
        let mut add = Command::new(&collector);
        add.arg("--db").arg(&db);
        add.arg("--org").arg(root().join("www/demo-org.toml"));
        add.args(["user", "add", "--email", email, "--role", role]);
        add.args(["--base", &base]);
        if let Some((flag, value)) = scope {
            add.args([flag, value]);
        }
        let out = add
            .output()
            .map_err(|e| format!("add the demo's {role}: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "add the demo's {role}: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let invite = String::from_utf8_lossy(&out.stdout);
        println!(
            "     {role:<7} {email:<20} set a password: {}",
            invite.trim()
        );
    }
    // The owner's bootstrap credential, for scripts; nobody types it into the dashboard.
    let admin = demo.join("admin-token");
    fs::write(&admin, demo_token()).map_err(|e| format!("write {}: {e}", admin.display()))?;
    println!(
        "   (scripts: the owner's admin token is in {})",
        admin.display()
    );
    println!(
        "   a friend's purchase, as a brand's system reports it (CODE from a promoter's referral page):\n     \
         curl -H \"authorization: Bearer $(cat {})\" -H 'content-type: application/json' \\\n       \
         -d '{{\"type\": \"purchased\", \"id\": \"S-1\"}}' {base}/api/referrals/CODE/events",
        admin.display()
    );
    let mut serve = Command::new(collector);
    if let Some(origin) = &public {
        // Reachable from the network, and links built on the address phones use.
        serve.args(["--host", "0.0.0.0", "--public-origin", origin]);
    }
    run(serve
        .arg("--visit-secret-file")
        .arg(&secret)
        .arg("--admin-token-file")
        .arg(&admin)
        .args(["--port", &port, "--db"])
        .arg(&db)
        .arg("--names")
        .arg(&names)
        .arg("--org")
        .arg(root().join("www/demo-org.toml"))
        .arg("--static")
        .arg(&dist)
        .arg("--landing")
        .arg(root().join("www/landing.json")))
}

/// How many answers the demo's dashboard starts with.
const DEMO_RESPONSES: &str = "4000";

/// A token for this run of the demo: random bytes from the system, in hex.
fn demo_token() -> String {
    let mut bytes = [0u8; 16];
    if let Ok(mut f) = fs::File::open("/dev/urandom") {
        use std::io::Read;
        let _ = f.read_exact(&mut bytes);
    }
    if bytes == [0; 16] {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        bytes = (t ^ ((std::process::id() as u128) << 64)).to_le_bytes();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
