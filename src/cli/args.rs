//! Argument definitions (clap). Exit codes are listed in `--help`.

use std::path::PathBuf;

use clap::builder::PossibleValue;
use clap::{Parser, Subcommand, ValueEnum};

use crate::report::{AuditFormat, Format, AUDIT_FORMATS, FORMATS};

const EXIT_CODES: &str = "\
Exit codes:
  0  no finding at or above the fail level
  1  findings at or above the fail level (--fail-on, default: error)
  2  usage, configuration or I/O error: nothing was checked
  3  some artifacts could not be loaded (malformed YAML, unknown kind, duplicate id);
     the rest was still checked and reported
  4  a policy does not compile or failed while evaluating";

/// `opsgate 0.1.0 (commit 1a2b3c4d5e6f)`: which build a report came from.
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("OPSGATE_COMMIT"),
    ")"
);

#[derive(Debug, Parser)]
#[command(name = "opsgate", version = VERSION, about = "Policy-as-code compliance checks for IT and cloud security operations artifacts", after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the artifacts of a repository against schemas and policies.
    #[command(after_help = EXIT_CODES)]
    Check(CheckArgs),
    /// Write the auditor's compliance report: every requirement with its status, evidence traced to
    /// git commits, findings and waivers, per management area and per framework control.
    #[command(
        after_help = "Exit codes: 0 report written, 2 usage error, 3 some artifacts could not be loaded (report still written), 4 policy error."
    )]
    Report(ReportArgs),
    /// Print the JSON Schema of a kind, or write every schema into a folder for editors.
    Schema {
        /// Kind name (e.g. ChangeRecord), `common` (the shared definitions) or `artifact` (any
        /// artifact, checked against the schema of its kind).
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        kind: Option<String>,
        /// Write every schema, with common.schema.json and artifact.schema.json, into --out.
        #[arg(long, requires = "out")]
        all: bool,
        /// Folder for --all (created if missing; opsgate's schema files there are replaced).
        #[arg(long, value_name = "DIR", requires = "all")]
        out: Option<PathBuf>,
    },
    /// List the artifact kinds.
    Kinds,
    /// List every rule with its metadata.
    Rules {
        /// A table for people, or JSON with every field.
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
        /// Extra policy directory (repeatable): its rules are listed too.
        #[arg(long = "policy", value_name = "DIR")]
        policy_dirs: Vec<PathBuf>,
    },
    /// Print the artifact graph (who refers to whom).
    Graph {
        /// Directory (or single file) to read.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Graphviz dot, Mermaid, or JSON nodes and edges.
        #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
        format: GraphFormat,
        /// Only the artifacts within --depth references of this id.
        #[arg(long, value_name = "ID")]
        around: Option<String>,
        /// With --around: how many references away from it to draw.
        #[arg(long, default_value_t = 1)]
        depth: usize,
    },
    /// Scaffold a repository: opsgate.toml, hook and CI examples, schemas and editor settings,
    /// and a minimal starter of drafts under ops/ (--example: the full example set). Never
    /// overwrites a file (lists what it skipped).
    Init {
        /// Directory to scaffold (created if missing).
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Write the full example set (a fictional company, every kind, compliant) instead of
        /// the minimal starter of drafts to fill in.
        #[arg(long)]
        example: bool,
    },
    /// Write a new artifact of KIND from a commented template, with the next free id; prints its path.
    New {
        /// Kind name, e.g. ChangeRecord (`opsgate kinds` lists them).
        kind: String,
        /// Id to give it [default: the next free id in the repository's numbering].
        #[arg(long)]
        id: Option<String>,
        /// Repository to add it to.
        #[arg(long, default_value = ".")]
        dir: PathBuf,
    },
    /// Install or remove a git pre-commit hook that runs `opsgate check --staged`.
    Hook {
        #[command(subcommand)]
        action: HookAction,
    },
    /// Print a shell completion script, e.g. `opsgate completions bash > /etc/bash_completion.d/opsgate`.
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `opsgate man > /usr/local/share/man/man1/opsgate.1`.
    Man,
    /// The pre-commit framework's entry point (`.pre-commit-hooks.yaml`). Inside `git commit` it is
    /// `check --staged` on the index git is committing; with pre-commit's `--from-ref/--to-ref`
    /// (PRE_COMMIT_FROM_REF/PRE_COMMIT_TO_REF) it is `check --base FROM --head TO`; when pre-commit
    /// passes files that the commit does not change (`--all-files`, `--files`) it checks the whole
    /// index with every finding counting.
    PreCommit {
        /// The files pre-commit passes; they choose the mode, the whole repository is checked.
        files: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum)]
        format: Option<Format>,
        /// Date the check is made as of (YYYY-MM-DD, default: today in UTC).
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
    },
    /// Run rule test cases (YAML, the format of tests/rules/): the `.rego` files under DIR are
    /// loaded as team policies, every case file under it is run; exits 1 when a case fails and lists
    /// the team's rules that no case makes fail.
    Test {
        /// Directory holding the team's policies and their case files.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Extra policy directory (repeatable), e.g. when the cases live apart from the policies.
        #[arg(long = "policy", value_name = "DIR")]
        policy_dirs: Vec<PathBuf>,
        /// Text for people, or JUnit XML for CI dashboards.
        #[arg(long, value_enum, default_value_t = TestFormat::Text)]
        format: TestFormat,
    },
    /// Print the full documentation of one rule.
    Explain {
        /// Rule code, e.g. CHG-003.
        code: String,
        /// Extra policy directory (repeatable), for a team rule's code.
        #[arg(long = "policy", value_name = "DIR")]
        policy_dirs: Vec<PathBuf>,
    },
}

/// What a run reads and how: shared by `check` and `report`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Directory (or single file) to check.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Date the check is made as of (YYYY-MM-DD, default: today in UTC); drives every time-based rule.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Extra policy directory with a team's own rules (repeatable).
    #[arg(long = "policy", value_name = "DIR")]
    pub policy_dirs: Vec<PathBuf>,
    /// Configuration file [default: the nearest opsgate.toml at or above PATH].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Ignore any opsgate.toml.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// Time one policy evaluation may take before it is stopped, in milliseconds (0: no limit).
    #[arg(long, value_name = "MS", default_value_t = 5000)]
    pub policy_timeout: u64,
    /// Largest file read, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 10 * 1024 * 1024)]
    pub max_file_size: u64,
    /// Most YAML documents read from one file.
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    pub max_documents: usize,
    /// Parse cache directory, keyed by file content [default: $XDG_CACHE_HOME/opsgate or
    /// ~/.cache/opsgate; off when CI is set unless this is given].
    #[arg(long, value_name = "DIR", env = "OPSGATE_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Parse every file and compile the policies: neither read nor write the cache.
    // `OPSGATE_NO_CACHE=1` as the README documents; anything but a false-like value (empty, 0,
    // false, no, off) turns the cache off. A plain bool flag with `env` takes only true/false.
    #[arg(long, env = "OPSGATE_NO_CACHE", value_parser = clap::builder::FalseyValueParser::new(),
          action = clap::ArgAction::SetTrue)]
    pub no_cache: bool,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub run: RunArgs,
    /// Output format [default: text, or `check.format` of opsgate.toml].
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write the report to FILE (atomically: a reader never sees half of it) instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Pre-commit mode: check what is staged in the git index (not the work tree) and report what
    /// it changes compared with HEAD.
    #[arg(long, conflicts_with = "base")]
    pub staged: bool,
    /// Check the whole content of the git index (what the next commit would contain), every
    /// finding counting — `pre-commit run --all-files`.
    #[arg(long, conflicts_with_all = ["base", "staged"])]
    pub index: bool,
    /// Pull-request mode: report what HEAD changes compared with the merge base of REV and HEAD
    /// (findings on added or modified artifacts, and on unchanged ones the change breaks).
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// With --base: the revision under review [default: HEAD] (pre-commit's `--to-ref`).
    #[arg(
        long,
        value_name = "REV",
        requires = "base",
        conflicts_with = "worktree"
    )]
    pub head: Option<String>,
    /// With --base: compare the work tree instead of HEAD.
    #[arg(long, requires = "base")]
    pub worktree: bool,
    /// With --base: also report findings that existed before the change, marked pre-existing.
    #[arg(long, requires = "base")]
    pub all: bool,
    /// Lowest severity that fails the run [default: error, or `check.fail_on` of opsgate.toml].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Print only the summary line.
    #[arg(long, short)]
    pub quiet: bool,
    /// When to colour the text output: at a terminal (and NO_COLOR unset or empty), always, never.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
    /// Same as --color never.
    #[arg(long)]
    pub no_color: bool,
}

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub run: RunArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = AUDIT_FORMATS[0].name)]
    pub format: AuditFormat,
    /// Write the report to FILE (atomically) instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Framework views to include (repeatable) [default: all].
    #[arg(long = "framework", value_enum)]
    pub frameworks: Vec<Framework>,
    /// Compliance over a period, from the git history: START..END (YYYY-MM-DD..YYYY-MM-DD). Every
    /// first-parent commit of the branch within the period is evaluated as of its own date.
    #[arg(long, value_name = "START..END", conflicts_with = "as_of")]
    pub period: Option<String>,
    /// With --period: the branch (or any revision) whose history is read [default: HEAD].
    #[arg(long, value_name = "REV", requires = "period")]
    pub branch: Option<String>,
    /// Show only these requirements: `failed` leaves out what was met, waived, disabled or not
    /// applicable.
    #[arg(long, value_enum)]
    pub only: Option<OnlyFilter>,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum OnlyFilter {
    /// Requirements that failed (at any time of the period with --period).
    Failed,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Framework {
    /// ISO/IEC 27001:2022 Annex A
    Iso27001,
    /// NIST SP 800-53 rev. 5
    Nist,
    /// CIS Controls v8
    Cis,
    /// ITIL 4 practices
    Itil,
}

/// `--format` of `check`: the values are the renderer table's ([`crate::report::FORMATS`]).
impl ValueEnum for Format {
    fn value_variants<'a>() -> &'a [Self] {
        FORMATS
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.name).help(self.description))
    }
}

/// `--format` of `report`: the values are [`crate::report::AUDIT_FORMATS`].
impl ValueEnum for AuditFormat {
    fn value_variants<'a>() -> &'a [Self] {
        AUDIT_FORMATS
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.name).help(self.description))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TestFormat {
    Text,
    Junit,
}

/// `--color`, as ripgrep and cargo spell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum GraphFormat {
    Dot,
    Mermaid,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ListFormat {
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum FailOn {
    Error,
    Warning,
    Info,
}

#[derive(Debug, Subcommand)]
pub enum HookAction {
    /// Write .git/hooks/pre-commit (or core.hooksPath); refuses to replace a foreign hook.
    Install {
        /// Replace an existing hook that opsgate did not write.
        #[arg(long)]
        force: bool,
        /// Repository to install into.
        #[arg(long, default_value = ".")]
        dir: PathBuf,
    },
    /// Remove the hook, only if opsgate wrote it.
    Uninstall {
        /// Repository to remove it from.
        #[arg(long, default_value = ".")]
        dir: PathBuf,
    },
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// Every argument of every subcommand explains itself in `--help`.
    fn undocumented(command: &clap::Command, path: &str, out: &mut Vec<String>) {
        for arg in command.get_arguments() {
            let id = arg.get_id().as_str();
            if id != "help" && id != "version" && arg.get_help().is_none() {
                out.push(format!("{path} {id}"));
            }
        }
        for sub in command.get_subcommands() {
            if sub.get_about().is_none() {
                out.push(format!("{path} {} (no about)", sub.get_name()));
            }
            undocumented(sub, &format!("{path} {}", sub.get_name()), out);
        }
    }

    #[test]
    fn every_flag_and_subcommand_has_help_text() {
        let mut missing = Vec::new();
        undocumented(&super::Cli::command(), "opsgate", &mut missing);
        assert!(missing.is_empty(), "no help text: {missing:?}");
    }
}
