//! The optional configuration file (`--config gatehouse.toml`; README, "Configuration"): its keys
//! are the server's flags by their long names (`addr`, `db`, `tls-cert`, …), its values what the
//! flag would be given (`true`/`false` for a switch such as `no-seed`).
//!
//! Precedence: flags over environment variables over the file over the defaults. clap applies the
//! first two itself; a file setting then counts only for a flag that neither set, and is applied
//! by putting it on the command line before the rest, so it is parsed and checked exactly as the
//! flag would be. Each value is checked first with the flag's own parser, so a bad one is reported
//! with the file and key it came from. An unknown key, or a setting no flag could take, stops the
//! server: a typo must not silently leave a default in force.

use std::ffi::OsString;
use std::path::Path;

use anyhow::{anyhow, bail, Context};
use clap::parser::ValueSource;
use clap::{ArgAction, ArgMatches, Command, Parser};

/// Flags that cannot come from the file: the file itself, and clap's own.
const NOT_FROM_THE_FILE: &[&str] = &["help", "version"];

/// Parses the process's arguments as `A`, with the settings of the file named by the flag whose
/// id is `config_id` (if given) under the command line and the environment.
pub fn parse<A: Parser>(config_id: &str) -> anyhow::Result<A> {
    parse_from(std::env::args_os().collect(), config_id)
}

/// [`parse`] on `argv` (its first item the program's name). `--help`, `--version` and a bad
/// command line end the process with clap's message, as `Parser::parse` does.
pub fn parse_from<A: Parser>(argv: Vec<OsString>, config_id: &str) -> anyhow::Result<A> {
    let command = A::command();
    let matches = command.clone().get_matches_from(argv.clone());
    let Some(file) = matches.get_one::<std::path::PathBuf>(config_id).cloned() else {
        return Ok(A::from_arg_matches(&matches)?);
    };
    let text = std::fs::read_to_string(&file)
        .with_context(|| format!("cannot read the configuration file {}", file.display()))?;
    let from_file = arguments(&command, &matches, config_id, &file, &text)?;
    let mut argv = argv;
    let at = 1.min(argv.len());
    argv.splice(at..at, from_file);
    Ok(A::from_arg_matches(&command.get_matches_from(argv))?)
}

/// The file's settings as command-line arguments, for the flags of `command` that `matches`
/// did not get from the command line or the environment.
pub fn arguments(
    command: &Command,
    matches: &ArgMatches,
    config_id: &str,
    file: &Path,
    text: &str,
) -> anyhow::Result<Vec<OsString>> {
    let shown = file.display();
    let table: toml::Table =
        toml::from_str(text).map_err(|error| anyhow!("{shown} is not valid TOML: {error}"))?;
    let settable: Vec<&clap::Arg> = command
        .get_arguments()
        .filter(|arg| {
            let id = arg.get_id().as_str();
            arg.get_long().is_some() && id != config_id && !NOT_FROM_THE_FILE.contains(&id)
        })
        .collect();
    let mut out = Vec::new();
    for (key, value) in &table {
        let Some(arg) = settable
            .iter()
            .find(|arg| arg.get_long() == Some(key.as_str()))
        else {
            let hint = settable
                .iter()
                .filter_map(|arg| arg.get_long())
                .find(|long| long.replace('-', "_") == key.replace('-', "_"))
                .map(|long| format!(" (did you mean `{long}`?)"))
                .unwrap_or_default();
            let known: Vec<&str> = settable.iter().filter_map(|arg| arg.get_long()).collect();
            bail!(
                "unknown setting `{key}` in {shown}{hint}; the settings are the flags' names: {}",
                known.join(", ")
            );
        };
        let set_elsewhere = matches!(
            matches.value_source(arg.get_id().as_str()),
            Some(ValueSource::CommandLine | ValueSource::EnvVariable)
        );
        let flag = format!("--{key}");
        if matches!(arg.get_action(), ArgAction::SetTrue) {
            let toml::Value::Boolean(on) = value else {
                bail!("`{key}` in {shown} is a switch: write `{key} = true` or `{key} = false`");
            };
            if *on && !set_elsewhere {
                out.push(OsString::from(flag));
            }
            continue;
        }
        let text = match value {
            toml::Value::String(text) => text.clone(),
            toml::Value::Integer(number) => number.to_string(),
            other => bail!(
                "`{key}` in {shown} must be a string or a whole number, not {}",
                other.type_str()
            ),
        };
        // The flag's own parser, alone in a command of its own: the error then speaks of this
        // value only.
        Command::new("file")
            .no_binary_name(true)
            .arg(
                clap::Arg::new("value")
                    .action(ArgAction::Set)
                    .value_parser(arg.get_value_parser().clone()),
            )
            .try_get_matches_from([text.as_str()])
            .map_err(|error| anyhow!("`{key}` in {shown}: {}", value_error(&error, &text)))?;
        if !set_elsewhere {
            out.push(OsString::from(flag));
            out.push(OsString::from(text));
        }
    }
    Ok(out)
}

/// Why the flag's parser refused `text`: the parser's own reason, or clap's (which lists the
/// possible values of a choice).
fn value_error(error: &clap::Error, text: &str) -> String {
    if let Some(reason) = std::error::Error::source(error) {
        return format!("invalid value {text:?}: {reason}");
    }
    let rendered = error.render().to_string();
    let first_part = rendered.split("\n\n").next().unwrap_or_default();
    first_part
        .trim_start_matches("error: ")
        .replace(" for '<value>'", "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// A stand-in for the server's flags.
    #[derive(Debug, Parser)]
    struct Flags {
        #[arg(long)]
        config: Option<PathBuf>,
        #[arg(long, default_value_t = 5601)]
        port: u16,
        #[arg(long, default_value = "./data/gatehouse.db")]
        db: PathBuf,
        #[arg(long)]
        no_seed: bool,
        #[arg(long, env = "GATEHOUSE_CONFIG_FILE_TEST_NEVER_SET")]
        public_url: Option<String>,
    }

    fn parse_with(file_text: &str, flags: &[&str]) -> anyhow::Result<Flags> {
        let dir = tempfile::tempdir()?;
        let file = dir.path().join("gatehouse.toml");
        std::fs::write(&file, file_text)?;
        let mut argv: Vec<OsString> = vec!["gatehouse-server".into(), "--config".into()];
        argv.push(file.into_os_string());
        argv.extend(flags.iter().map(OsString::from));
        parse_from::<Flags>(argv, "config")
    }

    #[test]
    fn the_file_sets_what_the_command_line_did_not() {
        let flags = parse_with(
            "port = 8443\ndb = \"/srv/gatehouse.db\"\nno-seed = true\n",
            &["--port", "9000"],
        )
        .unwrap();
        assert_eq!(flags.port, 9000, "the flag wins over the file");
        assert_eq!(flags.db, PathBuf::from("/srv/gatehouse.db"));
        assert!(flags.no_seed);
        let flags = parse_with("no-seed = false\n", &[]).unwrap();
        assert!(!flags.no_seed);
        assert_eq!(flags.port, 5601, "the default when nobody sets it");
    }

    #[test]
    fn an_unknown_key_is_refused_by_name_with_a_hint() {
        let error = parse_with("no_seed = true\n", &[]).unwrap_err().to_string();
        assert!(error.contains("unknown setting `no_seed`"), "{error}");
        assert!(error.contains("did you mean `no-seed`?"), "{error}");
        let error = parse_with("[server]\nport = 1\n", &[])
            .unwrap_err()
            .to_string();
        assert!(error.contains("unknown setting `server`"), "{error}");
        let error = parse_with("config = \"other.toml\"\n", &[])
            .unwrap_err()
            .to_string();
        assert!(error.contains("unknown setting `config`"), "{error}");
    }

    #[test]
    fn a_bad_value_names_its_key_and_file() {
        let error = parse_with("port = \"many\"\n", &[])
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("`port` in") && error.contains("gatehouse.toml"),
            "{error}"
        );
        let error = parse_with("port = 1.5\n", &[]).unwrap_err().to_string();
        assert!(
            error.contains("must be a string or a whole number"),
            "{error}"
        );
        let error = parse_with("no-seed = \"yes\"\n", &[])
            .unwrap_err()
            .to_string();
        assert!(error.contains("is a switch"), "{error}");
        let error = parse_with("port = ", &[]).unwrap_err().to_string();
        assert!(error.contains("is not valid TOML"), "{error}");
    }

    #[test]
    fn without_a_file_the_command_line_alone_counts() {
        let flags = parse_from::<Flags>(
            vec!["gatehouse-server".into(), "--no-seed".into()],
            "config",
        )
        .unwrap();
        assert!(flags.no_seed);
        assert_eq!(flags.public_url, None);
    }
}
