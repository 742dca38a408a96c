//! What each subcommand does.

use std::io::IsTerminal;

use clap::ValueEnum;
use std::path::Path;
use std::time::Duration;

use super::args::{
    CheckArgs, Cli, Command, FailOn, GraphFormat, ListFormat, OnlyFilter, ReportArgs, RunArgs,
};
use super::args::{ColorWhen, HookAction};
use super::print;
use crate::check::{check, default_params, exit, CheckError, CheckOptions, CheckRun};
use crate::config::Config;
use crate::evaluate::PolicySet;
use crate::finding::Severity;
use crate::gate::{check_git, GateError, GateMode};
use crate::git::{Git, GitError};
use crate::load::cache::ParseCache;
use crate::load::{LoadLimits, PathFilter};
use crate::model::{Kind, KINDS};
use crate::report::{self, text::TextStyle, Format};
use crate::rules::{area_title, Rule};

pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Check(args) => run_check(args),
        Command::Report(args) => run_report(args),
        Command::Schema { kind, out, .. } => run_schema(kind.as_deref(), out.as_deref()),
        Command::Kinds => run_kinds(),
        Command::Rules {
            format,
            policy_dirs,
        } => run_rules(format, &policy_dirs),
        Command::Graph {
            path,
            format,
            around,
            depth,
        } => run_graph(&path, format, around.as_deref(), depth),
        Command::Init { dir, example } => run_init(&dir, example),
        Command::Hook { action } => run_hook(action),
        Command::New { kind, id, dir } => run_new(&kind, id.as_deref(), &dir),
        Command::Test {
            dir,
            policy_dirs,
            format,
        } => super::test_cmd::run(&dir, &policy_dirs, format),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(
                shell,
                &mut <Cli as clap::CommandFactory>::command(),
                "opsgate",
                &mut out,
            );
            print(&String::from_utf8_lossy(&out));
            exit::CLEAN
        }
        Command::Man => run_man(),
        Command::PreCommit {
            files,
            format,
            as_of,
        } => run_pre_commit(&files, format, as_of.as_deref()),
        Command::Explain { code, policy_dirs } => run_explain(&code, &policy_dirs),
    }
}

fn run_kinds() -> u8 {
    let width = KINDS.iter().map(|k| k.name.len()).max().unwrap_or(0);
    let mut out = String::new();
    for kind in KINDS {
        out.push_str(&format!("{:width$}  {}\n", kind.name, kind.summary()));
    }
    print(&out);
    exit::CLEAN
}

fn run_rules(format: ListFormat, policy_dirs: &[std::path::PathBuf]) -> u8 {
    let policies = match load_policies(policy_dirs) {
        Ok(policies) => policies,
        Err(code) => return code,
    };
    // The policies' rules, then the checks opsgate makes itself.
    let engine = crate::engine_rules::all();
    let rules: Vec<&Rule> = policies.registry.iter().chain(&engine).collect();
    match format {
        ListFormat::Json => print(&format!(
            "{}\n",
            serde_json::to_string_pretty(&rules).unwrap_or_default()
        )),
        ListFormat::Table => print(&rules_table(&rules)),
    }
    exit::CLEAN
}

fn run_hook(action: HookAction) -> u8 {
    let result = match action {
        HookAction::Install { force, dir } => {
            crate::hook::install(&dir, force).map(|p| format!("installed {}\n", p.display()))
        }
        HookAction::Uninstall { dir } => {
            crate::hook::uninstall(&dir).map(|p| format!("removed {}\n", p.display()))
        }
    };
    match result {
        Ok(message) => {
            print(&message);
            exit::CLEAN
        }
        Err(error) => usage_error(&error.to_string()),
    }
}

fn run_man() -> u8 {
    let mut out = Vec::new();
    match clap_mangen::Man::new(<Cli as clap::CommandFactory>::command()).render(&mut out) {
        Ok(()) => {
            print(&String::from_utf8_lossy(&out));
            exit::CLEAN
        }
        Err(error) => usage_error(&format!("cannot render the manual page: {error}")),
    }
}

fn run_explain(code: &str, policy_dirs: &[std::path::PathBuf]) -> u8 {
    let policies = match load_policies(policy_dirs) {
        Ok(policies) => policies,
        Err(code) => return code,
    };
    let upper = code.to_uppercase();
    match policies
        .registry
        .get(&upper)
        .cloned()
        .or_else(|| crate::engine_rules::get(&upper))
    {
        Some(rule) => {
            print(&crate::docs::explain(&rule));
            exit::CLEAN
        }
        None => usage_error(&format!(
            "no rule has code `{code}` (`opsgate rules` lists them)"
        )),
    }
}

fn load_policies(dirs: &[std::path::PathBuf]) -> Result<PolicySet, u8> {
    PolicySet::load_dirs(dirs, Duration::from_secs(5)).map_err(|error| {
        eprint!(
            "{}",
            report::text::render_policy_error(&error, stderr_style())
        );
        exit::POLICY_ERROR
    })
}

fn rules_table(rules: &[&Rule]) -> String {
    let width = rules.iter().map(|r| r.code.len()).max().unwrap_or(0).max(9);
    let mut out = format!(
        "{:<width$} {:<8} {:<26} {}\n",
        "CODE", "SEVERITY", "AREA", "TITLE"
    );
    for rule in rules {
        out.push_str(&format!(
            "{:<width$} {:<8} {:<26} {}\n",
            rule.code,
            rule.severity.as_str(),
            truncate(area_title(&rule.area), 26),
            rule.title
        ));
    }
    out
}

fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(width - 1).collect();
        format!("{cut}…")
    }
}

fn stderr_style() -> TextStyle {
    TextStyle {
        color: std::io::stderr().is_terminal() && !no_color_requested(),
        quiet: false,
    }
}

/// no-color.org: NO_COLOR "when present and not an empty string" disables colour.
fn no_color_requested() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty())
}

fn usage_error(message: &str) -> u8 {
    eprintln!("error: {message}");
    exit::USAGE
}

/// Today's date in UTC, the default `--as-of`.
fn today() -> String {
    jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date()
        .to_string()
}

/// Reads the configuration and runs the pipeline; `Err` is the exit code after the problem was
/// reported on stderr.
/// `show_progress` decides, once the configuration is known, whether a person watches this run.
fn prepare_and_check(
    args: &RunArgs,
    gate: Option<&GateMode>,
    show_progress: impl Fn(&Config) -> bool,
) -> Result<(Config, CheckRun), u8> {
    let (config, options) = prepare(args, gate, show_progress)?;
    let run = checked(&config, &options, gate)?;
    Ok((config, run))
}

/// The check of prepared options, its errors reported; the exit code on failure.
fn checked(
    config: &Config,
    options: &CheckOptions,
    gate: Option<&GateMode>,
) -> Result<CheckRun, u8> {
    let result = match gate {
        None => check(options),
        Some(mode) => match check_git(options, mode) {
            Ok(run) => Ok(run),
            Err(GateError::Check(error)) => Err(error),
            Err(GateError::Git(error)) => return Err(git_error(&error)),
        },
    };
    crate::progress::finish();
    let run = match result {
        Ok(run) => run,
        Err(error) => return Err(check_error(error)),
    };
    if let Err(error) = config.check_codes(&run.policies.registry) {
        eprint!(
            "{}",
            report::text::render_config_error(&error, stderr_style())
        );
        return Err(exit::USAGE);
    }
    Ok(run)
}

/// Reports a failed run on stderr; the exit code.
fn check_error(error: CheckError) -> u8 {
    match error {
        CheckError::Policy(error) => {
            eprint!(
                "{}",
                report::text::render_policy_error(&error, stderr_style())
            );
            exit::POLICY_ERROR
        }
        error => usage_error(&error.to_string()),
    }
}

/// `--as-of` checked (default: today in UTC); the exit code when it is no usable date.
fn as_of(date: Option<&str>) -> Result<String, u8> {
    let Some(date) = date else {
        return Ok(today());
    };
    match date.parse::<jiff::civil::Date>() {
        // The policies count time in nanoseconds: outside these years they cannot compute
        // with the date, and every time-based rule would silently stop applying.
        Ok(date) if !crate::load::date_in_range(date.year().into()) => Err(usage_error(&format!(
            "--as-of `{date}` is outside the years {}–{} that the policies can compute with",
            crate::load::FIRST_YEAR,
            crate::load::LAST_YEAR
        ))),
        Ok(date) => Ok(date.to_string()),
        Err(error) => Err(usage_error(&format!(
            "--as-of `{date}` is not a date (YYYY-MM-DD): {error}"
        ))),
    }
}

/// The configuration and the options of a run, as the command line and opsgate.toml say.
fn prepare(
    args: &RunArgs,
    gate: Option<&GateMode>,
    show_progress: impl Fn(&Config) -> bool,
) -> Result<(Config, CheckOptions), u8> {
    let as_of = as_of(args.as_of.as_deref())?;
    if !args.path.exists() {
        return Err(usage_error(&format!(
            "{} does not exist",
            args.path.display()
        )));
    }
    let setup = load_setup(args, gate)?;
    let config = setup.config;
    if show_progress(&config) && crate::progress::wanted() {
        crate::progress::start();
    }
    let mut params = default_params();
    if let Some(map) = params.as_object_mut() {
        map.extend(config.params.clone());
    }
    let filter = match &setup.filter_base {
        Some(base) => PathFilter::new(base, &config.include, &config.exclude),
        None => PathFilter::default(),
    };
    let options = CheckOptions {
        path: args.path.clone(),
        policy_files: setup.policy_files,
        gate_paths: setup.gate_paths,
        repository: setup.filter_base.clone(),
        as_of,
        params,
        filter,
        rules: config.rules.clone(),
        policy_timeout: Duration::from_millis(args.policy_timeout),
        limits: LoadLimits {
            max_file_bytes: args.max_file_size,
            yaml: crate::load::yaml::YamlLimits {
                max_documents: args.max_documents,
                ..Default::default()
            },
            cache: parse_cache(args),
        },
    };
    Ok((config, options))
}

static CACHE: std::sync::OnceLock<Option<ParseCache>> = std::sync::OnceLock::new();

/// The parse cache this run uses, opened once per process (see src/load/cache.rs; README "Trust
/// model" says why CI runs go without one unless a directory is named).
fn parse_cache(args: &RunArgs) -> Option<&'static ParseCache> {
    CACHE
        .get_or_init(|| {
            if args.no_cache {
                return None;
            }
            let dir = args.cache_dir.clone().or_else(default_cache_dir)?;
            let max = crate::load::cache::DEFAULT_MAX_BYTES;
            match ParseCache::open_outside(&dir, max, &repository_places(&args.path)) {
                Ok(cache) => Some(cache),
                Err(error) => {
                    eprintln!("warning: {error}");
                    None
                }
            }
        })
        .as_ref()
        .inspect(|cache| crate::evaluate::compiled::keep_programs_in(cache))
}

/// The checked path and, when it is in a git repository, the repository's work tree, git
/// directory and common directory: where a cache directory must not be.
fn repository_places(path: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut places = vec![path.to_owned()];
    if let Ok(git) = crate::git::Git::discover(path) {
        let repo = git.repository();
        places.extend([repo.path().to_owned(), repo.commondir().to_owned()]);
        places.push(git.workdir.clone());
    }
    places
}

/// `$XDG_CACHE_HOME/opsgate` (an absolute one), else `~/.cache/opsgate`; none in CI.
fn default_cache_dir() -> Option<std::path::PathBuf> {
    let set = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if set("CI").is_some() {
        return None;
    }
    let base = set("XDG_CACHE_HOME")
        .map(std::path::PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| set("HOME").map(|home| std::path::PathBuf::from(home).join(".cache")))?;
    Some(base.join("opsgate"))
}

/// Keeps the parse cache under its bound once the run is over (it only prunes after writing).
pub(super) fn finish() {
    // The run opened it through `parse_cache`, if at all; a run that did not has nothing to prune.
    if let Some(Some(cache)) = CACHE.get() {
        cache.prune();
    }
}

/// A gate that checked nothing must not pass: the layout, the include globs or an ignore rule
/// left no artifact to check. A run that fails anyway (a file that does not load) keeps its
/// exit code; a run that would pass exits with the usage code instead.
fn passes_on_nothing(code: u8, run: &CheckRun, config: &Config) -> u8 {
    if code != exit::CLEAN || run.stats.artifacts_in_scope > 0 || config.allow_empty {
        return code;
    }
    let globs = if config.include.is_empty() && config.exclude.is_empty() {
        String::new()
    } else {
        format!(
            " (the configuration includes {:?} and excludes {:?})",
            config.include, config.exclude
        )
    };
    usage_error(&format!(
        "no opsgate artifact found under {}: {} YAML file(s) read{globs}\n\
         help: check the path and `[check] include` in opsgate.toml; if the repository has no \
         artifacts yet, set `allow_empty = true` under [check]",
        run.root.display(),
        run.stats.yaml_files,
    ))
}

fn git_error(error: &GitError) -> u8 {
    let help = match error {
        GitError::Shallow { .. } => format!("\nhelp: {}", Git::SHALLOW_HELP),
        GitError::NotARepository(_) => "\nhelp: --staged and --base need a git repository; without them opsgate checks a plain directory".to_owned(),
        _ => String::new(),
    };
    usage_error(&format!("{error}{help}"))
}

/// The configuration and team policies, read from the side of the change the gate trusts.
fn load_setup(args: &RunArgs, gate: Option<&GateMode>) -> Result<crate::trust::Setup, u8> {
    let defaults = default_params();
    let empty = serde_json::Map::new();
    let formats = report::format_names();
    let request = crate::trust::Request {
        path: &args.path,
        config: args.config.as_deref(),
        no_config: args.no_config,
        policy_dirs: &args.policy_dirs,
        known: crate::config::Known {
            params: defaults.as_object().unwrap_or(&empty),
            formats: &formats,
        },
    };
    let (git, side) = match gate {
        Some(mode) => {
            let plan = crate::gate::Plan::new(&args.path, mode).map_err(|e| git_error(&e))?;
            let side = plan.trusted_side();
            (Some(plan.git), side)
        }
        None => (Git::discover(&args.path).ok(), crate::git::Side::WorkTree),
    };
    crate::trust::resolve(&request, git.as_ref(), side).map_err(|error| match error {
        crate::trust::SetupError::Config(error) => {
            eprint!(
                "{}",
                report::text::render_config_error(&error, stderr_style())
            );
            exit::USAGE
        }
        crate::trust::SetupError::Policy(error) => {
            eprint!(
                "{}",
                report::text::render_policy_error(&error, stderr_style())
            );
            exit::POLICY_ERROR
        }
        other => {
            let help = other
                .help()
                .map_or(String::new(), |h| format!("\nhelp: {h}"));
            usage_error(&format!("{other}{help}"))
        }
    })
}

fn emit(output: Option<&Path>, rendered: &str) -> Result<(), u8> {
    match output {
        None => {
            print(rendered);
            Ok(())
        }
        Some(file) => crate::write::write_atomically(file, rendered.as_bytes(), true)
            .map_err(|error| usage_error(&format!("cannot write {}: {error}", file.display()))),
    }
}

fn run_period_report(args: &ReportArgs, period: &str) -> u8 {
    let period = match crate::history::Period::parse(period) {
        Ok(period) => period,
        Err(message) => return usage_error(&message),
    };
    let (config, options) = match prepare(&args.run, None, |_| args.output.is_some()) {
        Ok(prepared) => prepared,
        Err(code) => return code,
    };
    let (git, tip) = match period_tip(args) {
        Ok(found) => found,
        Err(code) => return code,
    };
    let mut collected = match collect_period(&git, &options, &config, &period, tip) {
        Ok(collected) => collected,
        Err(code) => return code,
    };
    // Paperwork written after the fact, judged on the tip's state (EVD-001…005).
    let started = std::time::Instant::now();
    let end = period.end.to_string();
    let policies = &collected.policies;
    match crate::evidence::add_to_points(&git, tip, &options, &end, policies, &mut collected.points)
    {
        Ok(analysis) => backdating_time(&analysis, started),
        Err(error) => return git_error(&error),
    }
    let mut audit = crate::period::build(crate::period::Inputs {
        registry: &collected.policies.registry,
        disabled: &options.rules.disabled,
        scope: period_scope(&git, args, &period, tip, &collected),
        period,
        points: &collected.points,
        frameworks: &framework_names(args),
    });
    if args.only == Some(OnlyFilter::Failed) {
        audit.only_failed();
    }
    let rendered = (args.format.render_period)(&audit);
    if let Err(code) = emit(args.output.as_deref(), &rendered) {
        return code;
    }
    if collected.errors.is_empty() {
        exit::CLEAN
    } else {
        for error in &collected.errors {
            eprint!(
                "{}",
                report::text::render_policy_error(error, stderr_style())
            );
        }
        exit::POLICY_ERROR
    }
}

/// The repository and the commit whose history `--period` reads (`--branch`, else HEAD).
fn period_tip(args: &ReportArgs) -> Result<(Git, git2::Oid), u8> {
    let git = Git::discover(&args.run.path).map_err(|error| {
        usage_error(&format!(
            "{error}\nhelp: --period reads the git history; run it in a clone of the repository"
        ))
    })?;
    let tip = match args.branch.as_deref() {
        Some(rev) => git.commit_of(rev),
        None => git.head_oid(),
    };
    let tip = tip.map_err(|error| git_error(&error))?;
    Ok((git, tip))
}

/// Every evaluation point of the period, its errors reported; the exit code on failure.
fn collect_period(
    git: &Git,
    options: &CheckOptions,
    config: &Config,
    period: &crate::history::Period,
    tip: git2::Oid,
) -> Result<crate::history::Collected, u8> {
    let collected = crate::history::collect(git, options, period, tip);
    crate::progress::finish();
    let collected = match collected {
        Ok(collected) => collected,
        Err(crate::history::HistoryError::Check(error)) => return Err(check_error(error)),
        Err(error) => {
            let help = error
                .help()
                .map_or(String::new(), |h| format!("\nhelp: {h}"));
            return Err(usage_error(&format!("{error}{help}")));
        }
    };
    if let Err(error) = config.check_codes(&collected.policies.registry) {
        eprint!(
            "{}",
            report::text::render_config_error(&error, stderr_style())
        );
        return Err(exit::USAGE);
    }
    Ok(collected)
}

/// What the period report is about: the repository, the branch, the history read.
fn period_scope(
    git: &Git,
    args: &ReportArgs,
    period: &crate::history::Period,
    tip: git2::Oid,
    collected: &crate::history::Collected,
) -> crate::period::PeriodScope {
    crate::period::PeriodScope {
        repository: git
            .remote_url()
            .unwrap_or_else(|| git.workdir.display().to_string()),
        branch: args.branch.clone().or_else(|| git.branch()),
        start: period.start.to_string(),
        end: period.end.to_string(),
        baseline: collected.walk.baseline.and_then(|oid| git.info(oid)),
        tip: git.info(tip),
        commits_in_period: collected.walk.commits.len(),
        evaluation_points: collected.points.len(),
        opsgate_version: env!("CARGO_PKG_VERSION"),
        policy_digest: crate::audit::policy_digest(collected.policies.sources()),
        rules: collected.policies.registry.len(),
    }
}

/// `OPSGATE_TIMINGS`: the backdating walk's time and size.
fn backdating_time(analysis: &crate::evidence::Analysis, started: std::time::Instant) {
    crate::timing::stage_time(
        &format!(
            "backdating ({} commits, {} blobs parsed)",
            analysis.commits.len(),
            analysis.blobs_parsed
        ),
        started,
    );
}

fn framework_names(args: &ReportArgs) -> Vec<String> {
    args.frameworks
        .iter()
        .filter_map(|f| f.to_possible_value().map(|v| v.get_name().to_owned()))
        .collect()
}

fn run_report(args: ReportArgs) -> u8 {
    if let Some(period) = args.period.clone() {
        return run_period_report(&args, &period);
    }
    let (config, options) = match prepare(&args.run, None, |_| args.output.is_some()) {
        Ok(prepared) => prepared,
        Err(code) => return code,
    };
    let mut run = match checked(&config, &options, None) {
        Ok(run) => run,
        Err(code) => return code,
    };
    // Paperwork written after the fact: one walk of the history (EVD-001…004).
    let started = std::time::Instant::now();
    let analysis = crate::evidence::add_to_run(&mut run, &options);
    backdating_time(&analysis, started);
    let limit = if args.format.every_evidence {
        usize::MAX
    } else {
        crate::audit::EVIDENCE_LIMIT
    };
    let mut audit = crate::audit::build_listing(&run, &framework_names(&args), limit);
    if args.only == Some(OnlyFilter::Failed) {
        audit.only_failed();
    }
    let rendered = (args.format.render)(&audit);
    if let Err(code) = emit(args.output.as_deref(), &rendered) {
        return code;
    }
    if !run.policy_errors.is_empty() {
        exit::POLICY_ERROR
    } else if run.exit_code(Severity::Error) == exit::INVALID_INPUT {
        exit::INVALID_INPUT
    } else {
        passes_on_nothing(exit::CLEAN, &run, &config)
    }
}

fn run_check(args: CheckArgs) -> u8 {
    let gate = if args.staged {
        Some(GateMode::Staged)
    } else if args.index {
        Some(GateMode::Index)
    } else {
        args.base.clone().map(|rev| GateMode::Base {
            rev,
            head: args.head.clone(),
            worktree: args.worktree,
            all: args.all,
        })
    };
    // Only a format for people gets a progress bar, and only at a terminal.
    let for_humans = |config: &Config| check_format(args.format, config).for_humans;
    let (config, run) = match prepare_and_check(&args.run, gate.as_ref(), for_humans) {
        Ok(prepared) => prepared,
        Err(code) => return code,
    };
    if let Err(error) = config.check_codes(&run.policies.registry) {
        eprint!(
            "{}",
            report::text::render_config_error(&error, stderr_style())
        );
        return exit::USAGE;
    }
    let fail_on = match args.fail_on {
        Some(FailOn::Error) => Severity::Error,
        Some(FailOn::Warning) => Severity::Warning,
        Some(FailOn::Info) => Severity::Info,
        None => config.fail_on.unwrap_or(Severity::Error),
    };
    let format = check_format(args.format, &config);
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let color = match (args.no_color, args.color) {
        (true, _) | (_, ColorWhen::Never) => false,
        (_, ColorWhen::Always) => true,
        (_, ColorWhen::Auto) => to_terminal && !no_color_requested(),
    };
    let style = TextStyle {
        color,
        quiet: args.quiet,
    };
    let model = report::model::Report::of(&run, format.git_evidence);
    if let Some(beside) = format.beside {
        if let Err(error) = (beside.write)(&model) {
            eprintln!("warning: cannot write {}: {error}", beside.what);
        }
    }
    let rendered = (format.render)(&model, style);
    drop(model);
    if let Err(code) = emit(args.output.as_deref(), &rendered) {
        return code;
    }
    let code = passes_on_nothing(run.exit_code(fail_on), &run, &config);
    // The process ends now and the OS takes the memory back at once; freeing the ~1 million
    // allocations of a 10,000-artifact run one by one first would cost ~0.1 s.
    std::mem::forget(run);
    code
}

/// The format `--format` names, else `check.format` of the configuration, else the default.
fn check_format(chosen: Option<Format>, config: &Config) -> Format {
    chosen
        .or_else(|| config.format.as_deref().and_then(report::format).copied())
        .unwrap_or(report::FORMATS[0])
}

/// What pre-commit asks for, as a `check` command line (see `Command::PreCommit`).
fn run_pre_commit(files: &[std::path::PathBuf], format: Option<Format>, as_of: Option<&str>) -> u8 {
    let mut argv: Vec<String> = vec!["opsgate".into(), "check".into(), ".".into()];
    let env = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| std::env::var(n).ok().filter(|v| !v.is_empty()))
    };
    let from = env(&["PRE_COMMIT_FROM_REF", "PRE_COMMIT_ORIGIN"]);
    let to = env(&["PRE_COMMIT_TO_REF", "PRE_COMMIT_SOURCE"]);
    // Inside `git commit` the index git is committing decides, whatever a shell left exported.
    let committing = std::env::var_os("GIT_INDEX_FILE").is_some();
    match (from, to) {
        _ if committing => argv.push("--staged".into()),
        (Some(from), Some(to)) => argv.extend(["--base".into(), from, "--head".into(), to]),
        _ => match files_beyond_the_commit(files) {
            Ok(true) => argv.push("--index".into()),
            Ok(false) => argv.push("--staged".into()),
            Err(error) => return git_error(&error),
        },
    }
    if let Some(format) = format {
        argv.extend(["--format".into(), format.name.to_owned()]);
    }
    if let Some(date) = as_of {
        argv.extend(["--as-of".into(), date.to_owned()]);
    }
    match <Cli as clap::Parser>::try_parse_from(&argv) {
        Ok(cli) => run(cli),
        Err(error) => usage_error(&error.to_string()),
    }
}

/// Whether pre-commit named a file the commit being prepared does not change: then it was asked
/// about those files (`--all-files`, `--files`), not about a commit.
fn files_beyond_the_commit(files: &[std::path::PathBuf]) -> Result<bool, GitError> {
    if files.is_empty() {
        return Ok(false);
    }
    let git = Git::discover(Path::new("."))?;
    let changed: std::collections::HashSet<Vec<u8>> = match git.head_oid() {
        Ok(head) => git
            .changed_paths(head, crate::git::Against::Index)?
            .into_iter()
            .collect(),
        Err(_) => return Ok(false),
    };
    Ok(files.iter().any(|file| {
        git.relative(&git.workdir.join(file))
            .or_else(|| file.to_str().map(str::to_owned))
            .is_none_or(|path| !changed.contains(path.as_bytes()))
    }))
}

fn run_graph(
    path: &std::path::Path,
    format: GraphFormat,
    around: Option<&str>,
    depth: usize,
) -> u8 {
    if !path.exists() {
        return usage_error(&format!("{} does not exist", path.display()));
    }
    let loaded = crate::load::load_path(path, LoadLimits::default(), &Default::default());
    let load_errors = loaded
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    if load_errors > 0 {
        eprintln!("warning: {load_errors} load error(s); run `opsgate check` for details. The graph shows what loaded.");
    }
    let policies = match load_policies(&[]) {
        Ok(policies) => policies,
        Err(code) => return code,
    };
    let context = crate::evaluate::Context::new(today(), default_params(), None);
    let graph = match crate::graph::build(&loaded.workspace, &policies, &context) {
        Ok(graph) => graph,
        Err(error) => {
            eprint!(
                "{}",
                report::text::render_policy_error(&error, stderr_style())
            );
            return exit::POLICY_ERROR;
        }
    };
    let graph = match around {
        Some(id) => match graph.around(id, depth) {
            Some(graph) => graph,
            None => return usage_error(&format!("no artifact has id `{id}`")),
        },
        None => graph,
    };
    print(&match format {
        GraphFormat::Dot => graph.to_dot(),
        GraphFormat::Mermaid => graph.to_mermaid(),
        GraphFormat::Json => graph.to_json(),
    });
    exit::CLEAN
}

/// `opsgate schema KIND` prints one schema; `--all --out DIR` writes them all.
fn run_schema(kind: Option<&str>, out: Option<&Path>) -> u8 {
    use crate::scaffold::schemas;
    if let Some(dir) = out {
        return match schemas::write_all(dir) {
            Ok(paths) => {
                let listing: String = paths
                    .iter()
                    .map(|p| format!("wrote {}\n", p.display()))
                    .collect();
                print(&listing);
                exit::CLEAN
            }
            Err(error) => usage_error(&error.to_string()),
        };
    }
    let name = kind.unwrap_or_default();
    match schemas::schema_text(name) {
        Some(text) => {
            print(&text);
            exit::CLEAN
        }
        None => {
            let hint = Kind::closest(name)
                .map_or(String::new(), |k| format!("; did you mean `{}`?", k.name));
            usage_error(&format!(
                "unknown kind `{name}`{hint} (`opsgate kinds` lists them; `common` and `artifact` are the shared schemas)"
            ))
        }
    }
}

fn run_init(dir: &Path, example: bool) -> u8 {
    match crate::scaffold::init(dir, &today(), example) {
        Ok(written) => {
            let mut out = String::new();
            for path in &written.created {
                out.push_str(&format!("created {}\n", path.display()));
            }
            for path in &written.skipped {
                out.push_str(&format!("skipped {} (already exists)\n", path.display()));
            }
            out.push_str(&format!(
                "{} files created, {} skipped; next: `opsgate check {}`\n",
                written.created.len(),
                written.skipped.len(),
                dir.display()
            ));
            print(&out);
            exit::CLEAN
        }
        Err(error) => usage_error(&error.to_string()),
    }
}

fn run_new(kind: &str, id: Option<&str>, dir: &Path) -> u8 {
    let Some(kind) = Kind::find(kind) else {
        let hint =
            Kind::closest(kind).map_or(String::new(), |k| format!("; did you mean `{}`?", k.name));
        return usage_error(&format!(
            "unknown kind `{kind}`{hint} (`opsgate kinds` lists them)"
        ));
    };
    if !dir.is_dir() {
        return usage_error(&format!("{} is not a directory", dir.display()));
    }
    let loaded = crate::load::load_path(dir, LoadLimits::default(), &PathFilter::default());
    match crate::scaffold::new_artifact(dir, &loaded.workspace, kind, id, &today()) {
        Ok(created) => {
            print(&format!("{}\n", created.path.display()));
            exit::CLEAN
        }
        Err(error) => usage_error(&error.to_string()),
    }
}
