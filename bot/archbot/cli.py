"""Command line: the only place that reads argv and the environment and decides exit codes."""

from __future__ import annotations

import dataclasses
import difflib
import json
import os
import sys
import tempfile
import typing
from collections.abc import Sequence
from pathlib import Path

import click

from archbot import cachedir, frontmatter, policy, render, review, sources
from archbot import config as config_module
from archbot import personas as personas_module
from archbot import routing as routing_module
from archbot.errors import (
    EXIT_FINDINGS,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TOOL,
    EXIT_USAGE,
    ArchbotError,
    usage_error,
)
from archbot.masking import Masker
from archbot.models import Report, Severity
from archbot.repo import catalog

if typing.TYPE_CHECKING:
    from archbot import github as github_module
    from archbot.rules import RuleSpec

FORMATS = ("text", "markdown", "json", "sarif", "github")


@dataclasses.dataclass(frozen=True)
class SourceOptions:
    staged: bool
    base: str | None
    head: str | None
    diff: str | None
    paths: tuple[str, ...]


def source_options(function: click.decorators.FC) -> click.decorators.FC:
    for option in reversed(
        (
            click.argument("paths", nargs=-1, type=click.Path()),
            click.option("--staged", is_flag=True, help="Review the staged changes (the default)."),
            click.option("--base", metavar="REF", help="Review REF...HEAD (merge-base, like a PR)."),
            click.option("--head", metavar="REF", help="With --base: the head of the range."),
            click.option("--diff", "diff_file", metavar="FILE", help="Review a diff file, or - for stdin."),
            click.option(
                "--config",
                "config_file",
                type=click.Path(dir_okay=False),
                help="Config file (default: .archbot.yml or [tool.archbot] in pyproject.toml).",
            ),
            click.option("--persona", metavar="NAME", help="Force one persona for every file."),
        )
    ):
        function = option(function)
    return function


def show_version(context: click.Context, _: click.Parameter, value: bool) -> None:
    if not value or context.resilient_parsing:
        return
    from archbot import about  # asks git for the commit: only when --version is given

    click.echo(about.describe())
    context.exit()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=show_version,
    help="Show the version and the commit it was built from, and exit.",
)
def cli() -> None:
    """archbot reviews ML/LLM code changes: static rules, plus persona review with Claude."""


@cli.command("review")
@source_options
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False), help="Write the report to FILE.")
@click.option(
    "--fail-on",
    type=click.Choice(config_module.FAIL_ON_CHOICES),
    help="Exit 1 when a finding is at or above this severity (default: critical).",
)
@click.option("--quiet", is_flag=True, help="One line per finding, then a total.")
@click.option(
    "--llm/--no-llm",
    "use_llm",
    default=None,
    help="Persona review with Claude (default: on when ANTHROPIC_API_KEY or ANTHROPIC_BASE_URL is set).",
)
@click.option("--pr", metavar="OWNER/REPO#N", help="Review a GitHub pull request (needs GITHUB_TOKEN).")
@click.option("--post", is_flag=True, help="With --pr: publish the comment and inline review.")
def review_command(
    paths: tuple[str, ...],
    staged: bool,
    base: str | None,
    head: str | None,
    diff_file: str | None,
    config_file: str | None,
    persona: str | None,
    output_format: str,
    output: str | None,
    fail_on: str | None,
    quiet: bool,
    use_llm: bool | None,
    pr: str | None,
    post: bool,
) -> int:
    """Review a change: the staged diff (default), a ref range, a diff file, or a pull request."""
    options = SourceOptions(staged, base, head, diff_file, paths)
    if pr is not None:
        if staged or base or head or diff_file or paths:
            raise usage_error("--pr reviews the whole pull request: drop --staged/--base/--diff/PATHS")
        from archbot import github

        pull = review_pr(pr, post, config_file, persona, use_llm)
        rendered = (
            github.comment_body(pull)
            if output_format == "markdown"
            else render_report(pull.report, output_format, quiet)
        )
        emit(rendered, output, pull.report)
        return exit_code(pull.report, fail_on or pull.fail_on)
    if post:
        raise usage_error("--post needs --pr")
    change = load_change(options)
    config = load_config(change.root, config_file)
    known = load_personas(change.root, config, persona)
    reviewer = persona_reviewer() if llm_wanted(config, use_llm) else None
    report = review.review(change, config, known, forced=persona, persona_reviewer=reviewer)
    rendered = render_report(report, output_format, quiet=quiet or in_precommit())
    emit(rendered, output, report)
    return exit_code(report, fail_on or config.fail_on)


@cli.command("route")
@source_options
@click.option("--format", "output_format", type=click.Choice(("text", "json")), default="text")
def route_command(
    paths: tuple[str, ...],
    staged: bool,
    base: str | None,
    head: str | None,
    diff_file: str | None,
    config_file: str | None,
    persona: str | None,
    output_format: str,
) -> int:
    """Show which persona each changed file goes to, with every persona's score and signals."""
    change = load_change(SourceOptions(staged, base, head, diff_file, paths))
    config = load_config(change.root, config_file)
    known = load_personas(change.root, config, persona)
    routing = review.route(change, config, known, persona)
    # A file's reviewer is the first persona listing it (a governance persona brought in for
    # security-relevant lines lists the file too).
    reviewer = {path: a.name for a in reversed(routing.assignments) for path in a.files}
    if output_format == "json":
        click.echo(
            json.dumps(
                {
                    "files": [
                        {
                            "path": r.path,
                            "persona": reviewer.get(r.path),
                            "why": route_note(r.persona, reviewer.get(r.path), persona, config),
                            "role": routing.roles[r.path].to_json(),
                            "ml_related": r.path in routing.ml,
                            **r.to_json(),
                        }
                        for r in routing.routes
                    ],
                    "personas": [a.to_json() for a in routing.assignments],
                },
                indent=2,
            )
        )
        return EXIT_OK
    if not routing.routes:
        click.echo("no ML/LLM-related changes")
    for file_route in routing.routes:
        actual = reviewer.get(file_route.path)
        note = route_note(file_route.persona, actual, persona, config)
        click.echo(f"{file_route.path} -> {actual or '(none)'}" + (f"  ({note})" if note else ""))
        file_role = routing.roles[file_route.path]
        click.echo(f"  role: {file_role.role} ({'; '.join(file_role.signals)})")
        if file_route.persona is None and file_route.path in routing.ml:
            click.echo("  ML/LLM-related code below the routing threshold: every rule still reads it")
        for name, score in sorted(file_route.scores.items(), key=lambda kv: -kv[1]):
            signals = ", ".join(s.describe() for s in file_route.signals[name])
            click.echo(f"  {score:5.1f}  {name}" + (f"  ({signals})" if signals else ""))
    for assignment in routing.assignments:
        click.echo(
            f"persona {assignment.name}: {assignment.score:.1f} over "
            f"{render.plural(len(assignment.files), 'file')}"
        )
    if routing.routes and not routing.assignments:
        click.echo(f"no file reached the routing threshold ({routing_module.THRESHOLD})")
    return EXIT_OK


def route_note(
    routed: str | None, actual: str | None, forced: str | None, config: config_module.Config
) -> str:
    """Why the persona that reviews a file is not the one its signals chose."""
    if forced is not None and actual is not None:
        return "--persona" if routed != forced else ""
    if routed is not None and actual is not None and actual != routed:
        return routing_module.fold_reason(routed, config.personas.max)
    return ""


@cli.group("personas")
def personas_group() -> None:
    """List, show and validate personas."""


@personas_group.command("list")
@click.option("--config", "config_file", type=click.Path(dir_okay=False))
def personas_list(config_file: str | None) -> int:
    """List the personas available here (built-in and the repository's)."""
    root = optional_root()
    config = load_config(root, config_file)
    for persona in load_personas(root, config).values():
        click.echo(f"{persona.name:30} {persona.model:7} {persona.origin}")
        described = persona.description
        click.echo(f"    {described if len(described) <= 200 else described[:199].rstrip() + '…'}")
    return EXIT_OK


_TRIGGER_SOURCES = {
    "archbot": "its archbot: key",
    "builtin": "kept from the built-in persona it overrides",
    "derived": "derived from the technologies its description and focus sections name",
}


@personas_group.command("show")
@click.argument("name")
@click.option("--config", "config_file", type=click.Path(dir_okay=False))
@click.option("--sent", is_flag=True, help="Print exactly the system prompt the model gets.")
def personas_show(name: str, config_file: str | None, sent: bool) -> int:
    """Show one persona: triggers and prompt (--sent: the system prompt as sent)."""
    root = optional_root()
    config = load_config(root, config_file)
    known = load_personas(root, config)
    if name not in known:
        raise usage_error(f"no persona named {name!r}; known: {', '.join(known)}")
    persona = known[name]
    if sent:
        from archbot import prompt

        click.echo(prompt.system_text(personas_module.prompt_body(persona), config.llm.max_findings))
        return EXIT_OK
    click.echo(f"name: {persona.name}\nmodel: {persona.model}\norigin: {persona.origin}")
    click.echo(f"description: {persona.description}")
    click.echo(f"triggers: {_TRIGGER_SOURCES[persona.triggers_from]}")
    for label, values in (
        ("paths", persona.paths),
        ("imports", persona.imports),
        ("keywords", persona.keywords),
        ("context paths", persona.context.paths),
        ("context imports", persona.context.imports),
        ("context keywords", persona.context.keywords),
    ):
        if values or not label.startswith("context"):
            click.echo(f"{label}: {', '.join(values) or '-'}")
    packages = [p for p in catalog.PACKAGES if p.persona == persona.name]
    if packages:
        domains = sorted({p.domain for p in packages})
        counts = ", ".join(f"{d} {sum(p.domain == d for p in packages)}" for d in domains)
        click.echo(f"catalog packages: {len(packages)} ({counts}; bot/archbot/repo/catalog.py)")
    click.echo("\n" + persona.body)
    return EXIT_OK


@personas_group.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path())
def personas_validate(files: tuple[str, ...]) -> int:
    """Check persona files: frontmatter, name, description, triggers, body."""
    failed = False
    for file in files:
        try:
            text = Path(file).read_bytes().decode("utf-8", errors="replace")
            persona = personas_module.parse(text, file)
        except OSError as error:
            click.echo(f"{file}: cannot read: {error.strerror}", err=True)
            failed = True
        except personas_module.PersonaFileError as error:
            click.echo(error.message, err=True)
            failed = True
        else:
            click.echo(f"{file}: ok ({persona.name})")
            for repair in persona.repairs:
                click.echo(f"{file}: note: {repair}")
    return EXIT_USAGE if failed else EXIT_OK


@cli.command("rules")
@click.argument("rule_id", required=False)
def rules_command(rule_id: str | None) -> int:
    """List the rules, or explain one."""
    from archbot.filter import META_RULES
    from archbot.rules.registry import all_rules

    specs = {**all_rules(), **META_RULES}
    if rule_id is None:
        width = max(len(rule) for rule in specs)
        for spec in sorted(specs.values(), key=lambda s: (-s.severity, s.id)):
            opt_in = "  (opt-in)" if policy.policy(spec.id).opt_in else ""
            click.echo(f"{spec.id:{width}}  {spec.severity.label:8} {spec.persona:28} {spec.title}{opt_in}")
        click.echo(f"\n{SEVERITY_NOTE}\nExplain one rule: archbot rules RULE-ID")
        return EXIT_OK
    if rule_id not in specs:
        near = difflib.get_close_matches(rule_id, list(specs), n=1)
        hint = f"; did you mean {near[0]}?" if near else "; run `archbot rules` for the list"
        raise usage_error(f"no rule {rule_id!r}{hint}")
    click.echo(explain(specs[rule_id]))
    return EXIT_OK


SEVERITY_NOTE = (
    "The severities are each rule's default; a report can differ by context. A finding can be\n"
    "more or less severe than its rule's default by what it finds (a key with a provider's\n"
    "shape is critical, a token-like literal high), and the config changes a rule's severity\n"
    "(`rules.severity`) or silences it for some paths (`rules.ignore`). Rules marked opt-in check\n"
    "a team's policy rather than a defect: they are off unless `rules.enable` lists them."
)


def explain(spec: RuleSpec) -> str:
    peers = f"\npeers:    {', '.join(spec.peers)}" if spec.peers else ""
    indent = "\n    "
    return (
        f"{spec.id}: {spec.title}\n"
        f"severity: {spec.severity.label} (the default: context can change it, see `archbot rules`)\n"
        f"persona:  {spec.persona}{peers}\n\n"
        f"{spec.doc.what}\n\nWhy it matters:\n    {indent.join(spec.doc.why.splitlines())}\n\n"
        f"Fix:\n    {indent.join(spec.doc.fix.splitlines())}\n\n"
        f"Bad:\n    {indent.join(spec.doc.bad.splitlines())}\n\n"
        f"Good:\n    {indent.join(spec.doc.good.splitlines())}\n\n"
        + (f"{policy.describe(spec.id)}\n\n" if policy.describe(spec.id) else "")
        + f"Silence one occurrence: # archbot: ignore[{spec.id}] <reason>\n"
    )


@cli.command("github")
@click.option(
    "--fail-on",
    type=click.Choice(config_module.FAIL_ON_CHOICES),
    help="Exit 1 when a finding is at or above this severity (default: the config's fail_on).",
)
@click.option("--config", "config_file", help="Config path in the repository, read at the PR's base.")
@click.option("--llm/--no-llm", "use_llm", default=None, help="Persona review with Claude.")
@click.option("--model", help="Model for the persona review (overrides llm.model).")
@click.option("--inline/--no-inline", default=None, help="Inline review comments (overrides github.inline).")
def github_command(
    fail_on: str | None, config_file: str | None, use_llm: bool | None, model: str | None, inline: bool | None
) -> int:
    """GitHub Action entry point: review this run's pull request and publish the results.

    The annotations, the job summary and the outputs are written before anything is published, so
    a failure to publish (a notice) never loses the review; the exit code follows --fail-on."""
    from archbot import github

    event_name = os.environ.get("GITHUB_EVENT_NAME")
    github.check_event_name(event_name)
    event = github.read_event(Path(required_env("GITHUB_EVENT_PATH")))
    repository = os.environ.get("GITHUB_REPOSITORY")
    if repository and repository != event.pull.repo:
        raise usage_error(f"GITHUB_REPOSITORY {repository} is not the event's repository {event.pull.repo}")
    if event.action not in github.HANDLED_ACTIONS:
        click.echo(f"archbot: nothing to do for pull_request action {event.action!r}")
        return EXIT_OK
    masker = Masker.of(os.environ)
    progress = github_progress()
    client = github_client()
    with tempfile.TemporaryDirectory(prefix="archbot-") as scratch:
        outcome = github.review_pull(
            client,
            event.pull,
            Path(os.environ.get("GITHUB_WORKSPACE") or "."),
            Path(scratch),
            config_file,
            personas_from,
            reviewer_for(use_llm),
            masker=masker,
            progress=progress,
            event_name=event_name,
            overrides=github.Overrides(model=model or None, inline=inline),
        )
        if isinstance(outcome, github.Skipped):
            click.echo(f"archbot: skipped: {outcome.reason}")
            return EXIT_OK
        report = outcome.report
        summary, outputs = env_path("GITHUB_STEP_SUMMARY"), env_path("GITHUB_OUTPUT")
        click.echo(masker.values(render.github_annotations(report)), nl=False)
        for notice in report.notices:
            click.echo(github.notice(notice))
        github.append_to(summary, masker.values(github.summary(github.summary_body(outcome))))
        github.append_to(outputs, github.outputs(report))
        published = github.publish_review(client, outcome, masker, progress)
    for notice in published.notices:
        click.echo(github.warning(notice))
    if published.notices:
        github.append_to(summary, github.notices_section(published.notices))
    github.append_to(outputs, f"published={'true' if published.comment else 'false'}")
    return exit_code(report, fail_on or outcome.fail_on)


@cli.command("init")
@click.option("--force", is_flag=True, help="Overwrite files that exist.")
@click.option(
    "--uses",
    "action",
    metavar="OWNER/REPO@REF",
    help="The action the workflow uses (default: archbot's own, at the revision the hook pins).",
)
@click.option(
    "--rev",
    metavar="REV",
    help="The archbot commit or release tag the pre-commit hook and the workflow pin "
    "(default: this archbot's commit).",
)
def init_command(force: bool, action: str | None, rev: str | None) -> int:
    """Write .github/workflows/archbot.yml, a commented .archbot.yml and a pre-commit config."""
    from archbot import about, scaffold

    root = optional_root()
    if root is None:
        raise usage_error(
            "not inside a git repository: run `archbot init` in the repository to set up "
            "(`git init` first for a new project)"
        )
    if rev is not None:
        pin = scaffold.Pin(rev)
    else:
        commit = about.commit()
        if commit is None:
            raise usage_error(
                "cannot tell which commit of archbot this is (installed without git metadata): "
                f"pass --rev with a commit or release tag of {about.REPOSITORY}"
            )
        pin = scaffold.Pin(commit, about.version())
    results = scaffold.write(root, action, pin, force)
    for written in results:
        shown = written.path.relative_to(root).as_posix()
        click.echo(f"archbot: {'wrote' if written.created else 'kept existing'} {shown}")
        if not written.created and shown == scaffold.PRECOMMIT_PATH:
            snippet = scaffold.precommit_snippet(pin)
            click.echo("archbot: add this hook to it:\n" + snippet, nl=False)
    if not all(w.created for w in results):
        click.echo("archbot: existing files were kept; --force overwrites them")
    return EXIT_OK


# --- helpers shared by the commands --------------------------------------------------------


def required_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise usage_error(f"{name} is not set: `archbot github` runs inside GitHub Actions")
    return value


def github_client(settings: config_module.GitHubConfig | None = None) -> github_module.Client:
    """The GitHub client; `settings` tune it from its first request (a local config), else the
    defaults until the base revision's config is read."""
    from archbot import github

    token = os.environ.get("GITHUB_TOKEN")
    if not token:
        raise usage_error("GITHUB_TOKEN is not set: a token is needed to read the pull request")
    github.quiet_library_logs()
    return github.Client(
        token,
        os.environ.get("GITHUB_API_URL") or "https://api.github.com",
        os.environ.get("GITHUB_SERVER_URL") or None,
        github.Tuning.of(settings or config_module.GitHubConfig()),
    )


def github_progress() -> github_module.Progress:
    """`::group::` per step in Actions (on stdout, the log), a line per step in a terminal."""
    from archbot import github

    if in_actions():
        return github.Progress(click.echo, actions=True, terminal=False)
    return github.Progress(
        lambda line: click.echo(line, err=True), actions=False, terminal=sys.stderr.isatty()
    )


def in_actions() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


def env_path(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value) if value else None


def reviewer_for(
    use_llm: bool | None,
) -> typing.Callable[[config_module.Config], review.PersonaReviewer | None]:
    return lambda config: persona_reviewer() if llm_wanted(config, use_llm) else None


def review_pr(
    spec: str, post: bool, config_file: str | None, persona: str | None, use_llm: bool | None
) -> github_module.Reviewed:
    """`--config FILE` is a local file here as for every other source of `review`: the config of
    the review in place of the base revision's, its `github:` settings from the first request."""
    from archbot import github

    repo, number = github.parse_pr_spec(spec)
    given = config_module.load(Path(config_file)) if config_file is not None else None
    client = github_client(given.github if given is not None else None)
    masker = Masker.of(os.environ)
    progress = github_progress()
    with tempfile.TemporaryDirectory(prefix="archbot-") as scratch:
        outcome = github.review_pull(
            client,
            client.pull(repo, number).info,
            Path.cwd(),
            Path(scratch),
            None,
            lambda texts, config: personas_from(texts, config, persona),
            reviewer_for(use_llm),
            masker=masker,
            progress=progress,
            forced=persona,
            skip_drafts=False,
            given_config=given,
        )
        if isinstance(outcome, github.Skipped):
            raise ArchbotError(outcome.reason)
        if not post:
            return outcome
        published = github.publish_review(client, outcome, masker, progress)
    report = dataclasses.replace(outcome.report, notices=(*outcome.report.notices, *published.notices))
    return dataclasses.replace(outcome, report=report)


def in_precommit() -> bool:
    return os.environ.get("PRE_COMMIT") == "1"


def llm_wanted(config: config_module.Config, flag: bool | None) -> bool:
    """--llm/--no-llm wins; then pre-commit (off unless precommit.llm); then llm.enabled; then the env."""
    if flag is not None:
        return flag
    if in_precommit() and not config.precommit.llm:
        return False
    if config.llm.enabled is not None:
        return config.llm.enabled
    return bool(os.environ.get("ANTHROPIC_API_KEY") or os.environ.get("ANTHROPIC_BASE_URL"))


def persona_reviewer() -> review.PersonaReviewer:
    from archbot import llm

    # Progress goes to stderr everywhere, not only on a terminal: CI logs show each call.
    endpoint = llm.Endpoint(
        api_key=os.environ.get("ANTHROPIC_API_KEY"),
        base_url=os.environ.get("ANTHROPIC_BASE_URL"),
        cache_dir=cachedir.cache_dir(os.environ),
        progress=lambda message: click.echo(f"archbot: {message}", err=True),
    )
    return llm.reviewer(endpoint)


def load_change(options: SourceOptions) -> sources.Change:
    chosen = [
        name
        for name, on in (
            ("--staged", options.staged),
            ("--base", options.base),
            ("--diff", options.diff),
        )
        if on
    ]
    if len(chosen) > 1:
        raise usage_error(f"choose one source: {' or '.join(chosen)}")
    if options.head and not options.base:
        raise usage_error("--head needs --base")
    if options.diff is not None:
        return sources.diff_file(options.diff, options.paths)
    if options.base is not None:
        return sources.ref_range(options.base, options.head, options.paths)
    from_ref, to_ref = os.environ.get("PRE_COMMIT_FROM_REF"), os.environ.get("PRE_COMMIT_TO_REF")
    if not options.staged and from_ref and to_ref:
        return sources.ref_range(from_ref, to_ref, options.paths)
    return sources.staged(options.paths)


def optional_root() -> Path | None:
    try:
        return sources.repo_root()
    except ArchbotError:
        return None


def load_config(root: Path | None, config_file: str | None) -> config_module.Config:
    if config_file is not None:
        return config_module.load(Path(config_file))
    return config_module.discover(root if root is not None else optional_root())


def load_personas(
    root: Path | None, config: config_module.Config, forced: str | None = None
) -> dict[str, personas_module.Persona]:
    where = root if root is not None else optional_root()
    return personas_from(personas_module.repo_texts(where, config.personas.claude_agents), config, forced)


def personas_from(
    repo_texts: list[tuple[str, str]], config: config_module.Config, forced: str | None = None
) -> dict[str, personas_module.Persona]:
    """The built-in personas plus the repository's (from disk, or from a PR's base revision)."""
    cache = frontmatter.Cache(cachedir.cache_dir(os.environ) / "frontmatter-v1.json")
    known = personas_module.load(personas_module.builtin_texts() + repo_texts, cache, warn=warning)
    names_rules = config.rules.enable or config.rules.disable or config.rules.severity or config.rules.ignore
    config_module.check_names(config, known_rule_ids() if names_rules else set(), set(known))
    if forced is not None and forced not in known:
        raise usage_error(f"--persona {forced!r} is not a persona; known: {', '.join(known)}")
    return known


def warning(message: str) -> None:
    click.echo(f"archbot: warning: {message}", err=True)


def known_rule_ids() -> set[str]:
    """The rule registry imports every rule module (ast-heavy): only a config naming rules needs it."""
    from archbot.filter import META_RULES
    from archbot.rules.registry import all_rules

    return set(all_rules()) | set(META_RULES)


def render_report(report: Report, output_format: str, quiet: bool = False) -> str:
    if output_format == "json":
        return render.json_text(report)
    if output_format == "markdown":
        return render.markdown(report)
    if output_format == "sarif":
        import importlib.metadata  # about 30 ms to import: not on the pre-commit hook's path

        from archbot import sarif

        return sarif.text(report, importlib.metadata.version("archbot"))
    if output_format == "github":
        return render.github_annotations(report)
    return render.text(report, colour=sys.stdout.isatty() and "NO_COLOR" not in os.environ, quiet=quiet)


def emit(rendered: str, output: str | None, report: Report) -> None:
    if output is None:
        click.echo(rendered, nl=False)
        return
    try:
        Path(output).write_text(rendered, encoding="utf-8")
    except OSError as error:
        raise ArchbotError(f"cannot write {output}: {error.strerror}") from None
    click.echo(f"archbot: wrote {output} ({render.summary_line(report)})", err=True)


def exit_code(report: Report, fail_on: str) -> int:
    if fail_on == "never":
        return EXIT_OK
    threshold = Severity.parse(fail_on)
    failing = any(f.blocks and f.severity >= threshold for f in report.findings)
    return EXIT_FINDINGS if failing else EXIT_OK


def one_line(error: click.ClickException) -> str:
    """Click's message on one line, like every archbot error, with where to find the usage."""
    message = " ".join(error.format_message().split())
    if isinstance(error, click.UsageError) and error.ctx is not None:
        return f"{message} See '{error.ctx.command_path} --help'."
    return message


def main(argv: Sequence[str] | None = None) -> int:
    try:
        result = cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="archbot",
            standalone_mode=False,
        )
    except click.exceptions.Abort:
        click.echo("archbot: interrupted", err=True)
        return EXIT_INTERRUPTED
    except KeyboardInterrupt:
        click.echo("archbot: interrupted", err=True)
        return EXIT_INTERRUPTED
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.exceptions.NoArgsIsHelpError as error:
        error.show()
        return EXIT_USAGE
    except click.ClickException as error:
        click.echo(f"archbot: {one_line(error)}", err=True)
        return EXIT_USAGE
    except ArchbotError as error:
        click.echo(f"archbot: {Masker.of(os.environ).text(error.message)}", err=True)
        return error.exit_code
    # The edge of the program: anything unexpected becomes one line and exit 3, not a traceback.
    except Exception as error:
        if os.environ.get("ARCHBOT_DEBUG") == "1":
            raise
        described = Masker.of(os.environ).text(f"{type(error).__name__}: {error}")
        click.echo(f"archbot: internal error: {described} (set ARCHBOT_DEBUG=1 for the traceback)", err=True)
        return EXIT_TOOL
    return result if isinstance(result, int) else EXIT_OK
