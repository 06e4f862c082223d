//! The topology as `deploy/local/topology.sh` runs it, driven from a test: started detached in
//! a temporary directory, its parts stopped, killed and started again by the script's own
//! subcommands, and everything stopped when the test ends, whichever way it ends.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Command, Stdio};

pub struct Cluster {
    script: PathBuf,
    dir: tempfile::TempDir,
    env: HashMap<String, String>,
    extra: Vec<(String, String)>,
}

/// The Meilisearch binary the topology would find, if any.
pub fn meilisearch() -> Option<PathBuf> {
    if let Some(bin) = std::env::var_os("MEILI_BIN") {
        return Some(PathBuf::from(bin));
    }
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    on_path
        .into_iter()
        .map(|dir| dir.join("meilisearch"))
        .chain([PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/bin/meilisearch")])
        .find(|p| p.is_file())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Cluster {
    /// Starts the topology with `servers` servers and these extra server settings.
    pub fn up(servers: u8, extra: &[(&str, &str)]) -> Cluster {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("deploy/local/topology.sh");
        let dir = tempfile::tempdir().expect("a temporary directory");
        let mut cluster = Cluster {
            script,
            dir,
            env: HashMap::new(),
            extra: extra
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .chain([
                    ("GANBRIDGE_TOPOLOGY_SERVERS".into(), servers.to_string()),
                    ("GANBRIDGE_TOPOLOGY_PORT".into(), free_port().to_string()),
                    (
                        "GANBRIDGE_BIN".into(),
                        env!("CARGO_BIN_EXE_ganbridge").into(),
                    ),
                ])
                .collect(),
        };
        if let Some(meili) = meilisearch() {
            cluster
                .extra
                .push(("MEILI_BIN".into(), meili.display().to_string()));
        }
        cluster.run(&["up", "--detach"]);
        cluster.env = cluster.read_env();
        cluster
    }

    fn command(&self) -> Command {
        let mut command = Command::new("bash");
        command
            .arg(&self.script)
            .env("GANBRIDGE_TOPOLOGY_DIR", self.dir.path().join("run"))
            .envs(self.extra.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null());
        command
    }

    /// Runs one of the script's subcommands; panics with its output when it fails.
    pub fn run(&self, args: &[&str]) {
        let output = self
            .command()
            .args(args)
            .output()
            .expect("running deploy/local/topology.sh");
        assert!(
            output.status.success(),
            "topology.sh {args:?} failed:\n{}\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
            self.logs()
        );
    }

    /// Every log of the topology: its path and its text.
    fn log_files(&self) -> Vec<(PathBuf, String)> {
        let Ok(entries) = std::fs::read_dir(self.dir.path().join("run/logs")) else {
            return Vec::new();
        };
        entries
            .flatten()
            .map(|entry| {
                let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
                (entry.path(), text)
            })
            .collect()
    }

    /// The last lines of every log, for a failure's message.
    pub fn logs(&self) -> String {
        let mut out = String::new();
        for (path, text) in self.log_files() {
            let tail: Vec<&str> = text.lines().rev().take(15).collect();
            out.push_str(&format!("--- {}\n", path.display()));
            for line in tail.into_iter().rev() {
                out.push_str(line);
                out.push('\n');
            }
        }
        out
    }

    /// The servers' log lines that contain `needle` (the last 40 of them), for a failure's
    /// message: what a server said about the requests it failed.
    pub fn server_lines(&self, needle: &str) -> String {
        let mut found = Vec::new();
        for (path, text) in self.log_files() {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if name.starts_with("server-") {
                found.extend(
                    text.lines()
                        .filter(|l| l.contains(needle))
                        .map(|l| format!("{name}: {l}")),
                );
            }
        }
        let skip = found.len().saturating_sub(40);
        found.split_off(skip).join("\n")
    }

    /// The script's record of where everything listens, as the shell reads it.
    fn read_env(&self) -> HashMap<String, String> {
        let file = self.dir.path().join("run/topology.env");
        let output = Command::new("bash")
            .args(["-c", "set -a; . \"$1\"; env", "_"])
            .arg(&file)
            .env_clear()
            .output()
            .expect("reading topology.env");
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }

    pub fn var(&self, name: &str) -> &str {
        self.env
            .get(name)
            .unwrap_or_else(|| panic!("{name} is not in topology.env"))
    }

    pub fn balancer(&self) -> String {
        self.var("BALANCER_URL").to_owned()
    }

    /// Server `n`'s own address (1 to 3), past the balancer.
    pub fn server(&self, n: u8) -> String {
        format!("http://127.0.0.1:{}", self.var(&format!("SERVER_{n}_PORT")))
    }

    /// Server `n`'s process id.
    pub fn pid(&self, n: u8) -> i32 {
        std::fs::read_to_string(self.dir.path().join(format!("run/pids/server-{n}")))
            .expect("a pid file")
            .trim()
            .parse()
            .expect("a pid")
    }

    /// Sends server `n` a signal and returns at once.
    pub fn signal(&self, n: u8, signal: &str) {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.pid(n).to_string())
            .status()
            .expect("kill");
        assert!(status.success());
    }

    pub fn database_url(&self) -> String {
        self.var("DATABASE_URL").to_owned()
    }

    /// Runs the server binary's command line against the topology's database.
    pub fn cli(&self, args: &[&str]) -> String {
        let output = Command::new(env!("CARGO_BIN_EXE_ganbridge"))
            .args(args)
            .env("DATABASE_URL", self.database_url())
            .env("GANBRIDGE_DATA_DIR", self.dir.path())
            .env_remove("MEILI_URL")
            .output()
            .expect("running ganbridge");
        assert!(
            output.status.success(),
            "ganbridge {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.command().arg("down").output();
    }
}
