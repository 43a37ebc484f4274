//! The driver: owns the terminal, the channels and the worker. Its loop takes
//! terminal events, worker results and a clock tick, applies each through
//! `update`, hands effects to the worker and draws. It never awaits an IAM call.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use color_eyre::eyre::{Result, WrapErr, eyre};
use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture, Event,
    EventStream, KeyEventKind, KeyboardEnhancementFlags, MouseEventKind,
    PopKeyboardEnhancementFlags, PushKeyboardEnhancementFlags,
};
use futures::StreamExt;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use tokio::sync::mpsc;

use crate::action::Action;
use crate::audit_log::AuditLog;
use crate::clipboard;
use crate::effect::Effect;
use crate::state::State;
use crate::timings::KeyPress;
use crate::timings::Timings;
use crate::ui::{self, Theme};
use crate::update::update;
use crate::worker::{Settings, Worker};

/// The terminal the UI draws on: each frame goes out in one write.
pub type Screen = Terminal<CrosstermBackend<std::io::BufWriter<std::io::Stdout>>>;

/// Bytes a frame may take before it is written out: a whole 300×100 frame
/// with its colours fits, and one at 200×60 is about 12 KiB.
const FRAME_BYTES: usize = 256 * 1024;

/// Results folded in before the next frame is drawn.
const MAX_BATCH: usize = 512;

/// How long waiting results may be folded in before a frame is drawn: a
/// key read meanwhile waits at most this, and a frame after a key press
/// draws the key first (at 10,000 users 512 results took 30 ms).
const FOLD_BUDGET: Duration = Duration::from_millis(8);

/// How often the clock ticks (spinner, ages).
const TICK: Duration = Duration::from_millis(120);

/// Apply one action and start the IO it asks for. Returns the effects that
/// belong to the terminal (clipboard, quit), in order.
pub fn dispatch(state: &mut State, action: Action, worker: &Worker) -> Vec<Effect> {
    if let Action::Crashed(message) = &action {
        tracing::error!(%message, "worker task panicked");
    }
    update(state, action)
        .into_iter()
        .filter_map(|effect| worker.run_effect(effect))
        .collect()
}

/// What the loop does after the terminal's effects.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Flow {
    quit: bool,
    suspend: bool,
    /// The AWS CLI's sign-in command to run with the terminal handed over.
    sign_in: Option<Vec<String>>,
}

/// Carry out the terminal's effects. Lost secrets and abandoned changes go
/// to the audit log (and the log file).
fn terminal_effects(
    effects: Vec<Effect>,
    audit: Option<&AuditLog>,
    codes: Option<&UiCodes>,
) -> Flow {
    let mut flow = Flow::default();
    let record = |entry: &crate::audit_log::Entry<'_>| {
        if let Some(audit) = audit
            && let Err(err) = audit.append(entry)
        {
            tracing::error!(%err, path = %audit.path().display(), "cannot write the audit log");
        }
    };
    for effect in effects {
        match effect {
            Effect::Copy(text) => {
                if let Err(err) = clipboard::copy(&text) {
                    tracing::warn!(%err, "cannot write to the clipboard");
                }
            }
            Effect::OpenUrl(argv) => {
                if let Some((program, args)) = argv.split_first() {
                    let spawned = std::process::Command::new(program)
                        .args(args)
                        .stdin(std::process::Stdio::null())
                        .stdout(std::process::Stdio::null())
                        .stderr(std::process::Stdio::null())
                        .spawn();
                    match spawned {
                        // Reaped on its own thread: the UI never waits for a browser.
                        Ok(mut child) => {
                            std::thread::spawn(move || child.wait());
                        }
                        Err(err) => tracing::warn!(%err, program, "cannot run the browser opener"),
                    }
                }
            }
            Effect::Quit => flow.quit = true,
            Effect::CodeAnswer { id, code } => {
                if let Some(codes) = codes {
                    codes.answer(id, code);
                }
            }
            Effect::Suspend => flow.suspend = true,
            Effect::RunSignIn(command) => flow.sign_in = Some(command),
            Effect::SecretsLost(lost) => {
                for secret in &lost {
                    tracing::warn!(key = %secret.key_id, user = %secret.user, "stopped while this new key's secret was on screen: the secret was never acknowledged; make the key inactive and delete it if it was not stored");
                    record(&crate::audit_log::Entry::secret_lost(
                        Utc::now(),
                        &secret.actor,
                        &secret.user,
                        &secret.key_id,
                    ));
                }
            }
            Effect::Abandon(changes) => {
                for (change, actor) in &changes {
                    tracing::warn!(
                        action = change.action(),
                        user = change.user(),
                        key = ?change.key_id(),
                        "left with this change in flight: IAM may or may not have applied it"
                    );
                    record(&crate::audit_log::Entry::abandoned(
                        Utc::now(),
                        actor,
                        change,
                        "iamkeys left before IAM answered: it may or may not have been applied; check the key in IAM",
                    ));
                }
            }
            _ => {}
        }
    }
    flow
}

/// How long changes in flight are waited for once the terminal is gone.
const GONE_WAIT: Duration = Duration::from_secs(30);

/// The terminal went away (its reads or writes fail: an SSH drop): nobody
/// can answer a dialog, but changes in flight are still waited for (up to
/// [`GONE_WAIT`]) so their outcome reaches the audit log; a secret on screen
/// is recorded as lost; what is still in flight after the wait is recorded
/// as abandoned.
async fn terminal_gone(
    state: &mut State,
    worker: &Worker,
    rx: &mut mpsc::UnboundedReceiver<Action>,
    audit: Option<&AuditLog>,
    why: &str,
) -> Result<()> {
    tracing::warn!(%why, "the terminal went away: waiting for changes in flight");
    let deadline = tokio::time::Instant::now() + GONE_WAIT;
    if terminal_effects(dispatch(state, Action::Terminate, worker), audit, None).quit {
        return finish(state);
    }
    while let Ok(Some(action)) = tokio::time::timeout_at(deadline, rx.recv()).await {
        if terminal_effects(dispatch(state, action, worker), audit, None).quit {
            return finish(state);
        }
    }
    let abandoned = state
        .account
        .sent_in_flight()
        .map(|s| (s.change.clone(), s.actor.clone()))
        .collect();
    terminal_effects(vec![Effect::Abandon(abandoned)], audit, None);
    finish(state)
}

/// The signals that must not leave the terminal broken.
#[cfg(unix)]
struct Signals {
    term: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
    tstp: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    fn new() -> std::io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Self {
            term: signal(SignalKind::terminate())?,
            hup: signal(SignalKind::hangup())?,
            int: signal(SignalKind::interrupt())?,
            tstp: signal(SignalKind::from_raw(libc::SIGTSTP))?,
        })
    }
}

/// Give the terminal back to the shell and stop; when the shell continues
/// the process (`fg`, SIGCONT), take it again and redraw everything.
fn suspend(terminal: &mut Screen, enhanced: bool) -> Result<()> {
    hand_over(enhanced)?;
    tracing::info!("suspended");
    #[cfg(unix)]
    // SAFETY: raise only sends a signal to this process; SIGSTOP cannot be
    // caught, so this returns once the process is continued.
    unsafe {
        libc::raise(libc::SIGSTOP);
    }
    tracing::info!("continued");
    take_back(terminal, enhanced)
}

/// Give the terminal back as the shell had it (cooked mode, main screen,
/// cursor shown).
fn hand_over(enhanced: bool) -> Result<()> {
    restore_modes(enhanced);
    ratatui::try_restore().wrap_err("cannot restore the terminal")?;
    // The Terminal shows the cursor when dropped; this one lives on.
    let _ = crossterm::execute!(std::io::stdout(), crossterm::cursor::Show);
    Ok(())
}

/// Where `program` is on `PATH`, if it is.
fn on_path(program: &str) -> Option<std::path::PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|path| {
            std::fs::metadata(path)
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// Run the AWS CLI's sign-in command with the terminal handed over (the
/// event reader is stopped meanwhile, so the command gets every key), then
/// take the terminal back. `Ok(Err(why))`: it could not be run.
async fn run_sign_in(
    terminal: &mut Screen,
    enhanced: bool,
    command: &[String],
) -> Result<Result<(), String>> {
    let Some((program, args)) = command.split_first() else {
        return Ok(Err("no command".to_owned()));
    };
    let Some(path) = on_path(program) else {
        return Ok(Err(format!(
            "The AWS CLI ({program}) is not on PATH, so it cannot be run here."
        )));
    };
    hand_over(enhanced)?;
    tracing::info!(?command, "running the sign-in command");
    println!(
        "iamkeys: running `{}`; the screen comes back when it ends.",
        command.join(" ")
    );
    let status = tokio::process::Command::new(path).args(args).status().await;
    if !status.as_ref().is_ok_and(std::process::ExitStatus::success) {
        // The command's own error stays readable until the operator is
        // done with it.
        println!(
            "\niamkeys: `{}` did not sign in. Press Enter to go back to iamkeys.",
            command.join(" ")
        );
        let _ = tokio::task::spawn_blocking(|| {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)
        })
        .await;
    }
    take_back(terminal, enhanced)?;
    Ok(match status {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(format!("`{}` ended with {status}.", command.join(" "))),
        Err(err) => Err(format!("`{}` could not be run: {err}", command.join(" "))),
    })
}

/// Run the sign-in command; what follows: the load again, or why not.
async fn signed_in(terminal: &mut Screen, enhanced: bool, command: &[String]) -> Result<Action> {
    Ok(match run_sign_in(terminal, enhanced, command).await? {
        Ok(()) => Action::SignInRan {
            command: command.join(" "),
        },
        Err(why) => Action::SignInNotRun {
            command: command.join(" "),
            why,
        },
    })
}

/// Take the terminal back after [`hand_over`]: raw mode, the alternate
/// screen, the modes, a whole redraw.
fn take_back(terminal: &mut Screen, enhanced: bool) -> Result<()> {
    // The same Terminal again (a new one would ask the terminal for the
    // cursor position while the event reader owns the input): raw mode and
    // the alternate screen back, then a full redraw.
    enter_screen()
        .and_then(|()| crossterm::execute!(std::io::stdout(), crossterm::cursor::Hide))
        .wrap_err("cannot set up the terminal again")?;
    enter_modes(enhanced);
    // `Terminal::clear` would read the cursor position too. Clear the
    // screen, then draw a blank frame so ratatui's memory of the screen is
    // blank as well: the next frame is drawn whole.
    crossterm::execute!(
        std::io::stdout(),
        crossterm::terminal::Clear(crossterm::terminal::ClearType::All)
    )?;
    terminal.draw(|frame| frame.render_widget(ratatui::widgets::Clear, frame.area()))?;
    Ok(())
}

/// Run the terminal UI until the operator quits. The terminal is restored on
/// every exit path; a panic hook restores it before the report is printed.
///
/// # Errors
/// The terminal could not be set up or written to.
pub async fn run(
    client: crate::worker::Clients,
    state: State,
    theme: Theme,
    settings: Settings,
) -> Result<()> {
    let mut terminal = init().wrap_err("cannot set up the terminal")?;
    // Bracketed paste lets a key ID be pasted into the delete dialog. On a
    // panic, the hook gives the terminal back as `hand_over` does.
    // The mouse selects and scrolls (Shift-drag still selects text in most terminals).
    // Where the terminal can tell a held key's repeats from presses, ask it
    // to: `update` lets repeats move the cursor and nothing else.
    let enhanced = crossterm::terminal::supports_keyboard_enhancement().unwrap_or(false);
    enter_modes(enhanced);
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = hand_over(enhanced);
        previous(info);
    }));
    let result = event_loop(&mut terminal, client, state, &theme, &settings, enhanced).await;
    hand_over(enhanced)?;
    result
}

/// The writer a frame goes through: it holds the whole frame and hands it
/// to `inner` in one write when ratatui flushes at the end of the frame.
/// `stdout` alone holds 1 KiB, so a frame went out in a dozen writes or
/// more, and a terminal (tmux, an SSH link) could show half of one.
pub fn frame_writer<W: std::io::Write>(inner: W) -> std::io::BufWriter<W> {
    std::io::BufWriter::with_capacity(FRAME_BYTES, inner)
}

/// Raw mode and the alternate screen: what the UI draws in (at start and
/// in [`take_back`]).
fn enter_screen() -> std::io::Result<()> {
    crossterm::terminal::enable_raw_mode()?;
    crossterm::execute!(std::io::stdout(), crossterm::terminal::EnterAlternateScreen)
}

/// [`enter_screen`], as `ratatui::try_init` does it, with a terminal that
/// writes through [`frame_writer`]. What was set up is undone if a later
/// step fails.
fn init() -> std::io::Result<Screen> {
    let terminal = enter_screen()
        .and_then(|()| Terminal::new(CrosstermBackend::new(frame_writer(std::io::stdout()))));
    if terminal.is_err() {
        ratatui::restore();
    }
    terminal
}

/// Turn on what the UI needs beyond ratatui's raw mode and alternate
/// screen: bracketed paste, the mouse, and key event types where known.
fn enter_modes(enhanced: bool) {
    let _ = crossterm::execute!(std::io::stdout(), EnableBracketedPaste, EnableMouseCapture);
    if enhanced {
        let _ = crossterm::execute!(
            std::io::stdout(),
            PushKeyboardEnhancementFlags(
                KeyboardEnhancementFlags::DISAMBIGUATE_ESCAPE_CODES
                    | KeyboardEnhancementFlags::REPORT_EVENT_TYPES
            )
        );
    }
}

/// Turn off what `run` turned on beyond ratatui's own (which
/// `ratatui::restore` undoes): paste, mouse, key event types.
fn restore_modes(enhanced: bool) {
    if enhanced {
        let _ = crossterm::execute!(std::io::stdout(), PopKeyboardEnhancementFlags);
    }
    let _ = crossterm::execute!(
        std::io::stdout(),
        DisableBracketedPaste,
        DisableMouseCapture
    );
}

/// Debug builds only: with `IAMKEYS_TEST_PANIC=1`, the key `P` panics, so
/// the end-to-end tests can prove the terminal is restored. Compiled out of
/// release builds.
#[cfg(debug_assertions)]
fn test_panic(key: &crossterm::event::KeyEvent) {
    if key.code == crossterm::event::KeyCode::Char('P')
        && std::env::var_os("IAMKEYS_TEST_PANIC").is_some_and(|v| v == "1")
    {
        panic!("test panic requested with IAMKEYS_TEST_PANIC");
    }
}

#[cfg(not(debug_assertions))]
fn test_panic(_key: &crossterm::event::KeyEvent) {}

/// Quitting after a crash is an error, so the exit code says so.
fn finish(state: &State) -> Result<()> {
    match &state.crash {
        Some(message) => Err(eyre!("internal error: {message} (please report it)")),
        None => Ok(()),
    }
}

async fn event_loop(
    terminal: &mut Screen,
    client: crate::worker::Clients,
    mut state: State,
    theme: &Theme,
    settings: &Settings,
    enhanced: bool,
) -> Result<()> {
    let (tx, mut rx) = mpsc::unbounded_channel();
    #[cfg(unix)]
    let mut signals = Signals::new().wrap_err("cannot listen for signals")?;
    // MFA codes are typed in the UI from now on.
    let codes = settings.codes.as_ref().map(|swappable| {
        let ui = Arc::new(UiCodes::new(tx.clone()));
        swappable.set(ui.clone());
        ui
    });
    let codes = codes.as_deref();
    let worker = Worker::new(client, tx, settings);
    let audit = settings.audit.as_ref();
    let size = terminal.size()?;
    dispatch(&mut state, Action::Resize(size.width, size.height), &worker);
    let mut timings = Timings::from_env();
    // The first frame goes out before any IAM call is even started.
    terminal.draw(|frame| ui::render(&state, theme, frame))?;
    timings.frame(&state);
    tracing::info!(profile = %state.session.profile, "first frame drawn");
    dispatch(&mut state, Action::Load, &worker);
    let mut events = EventStream::new();
    let mut ticker = tokio::time::interval(TICK);
    loop {
        let mut key_at = None;
        let action = tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) if key.kind != KeyEventKind::Release => {
                    test_panic(&key);
                    key_at = Some(std::time::Instant::now());
                    Action::Key(key)
                }
                Some(Ok(Event::Resize(width, height))) => Action::Resize(width, height),
                Some(Ok(Event::Paste(text))) => Action::Paste(text),
                // Clicks and the wheel only: pointer motion would redraw for nothing.
                Some(Ok(Event::Mouse(mouse)))
                    if matches!(
                        mouse.kind,
                        MouseEventKind::Down(_) | MouseEventKind::ScrollUp | MouseEventKind::ScrollDown
                    ) =>
                {
                    Action::Mouse(mouse)
                }
                Some(Ok(_)) => continue,
                Some(Err(err)) => {
                    let why = format!("cannot read terminal events: {err}");
                    return terminal_gone(&mut state, &worker, &mut rx, audit, &why).await;
                }
                None => {
                    return terminal_gone(&mut state, &worker, &mut rx, audit, "the terminal closed").await;
                }
            },
            Some(action) = rx.recv() => action,
            _ = ticker.tick() => Action::Tick(Utc::now()),
            _ = signals.term.recv() => Action::Terminate,
            _ = signals.hup.recv() => Action::Terminate,
            // Raw mode reads Ctrl-C as a key; a SIGINT from elsewhere is one.
            _ = signals.int.recv() => Action::Key(crossterm::event::KeyEvent::new(
                crossterm::event::KeyCode::Char('c'),
                crossterm::event::KeyModifiers::CONTROL,
            )),
            _ = signals.tstp.recv() => {
                suspend(terminal, enhanced)?;
                Action::Resize(terminal.size()?.width, terminal.size()?.height)
            }
        };
        let runnable = key_at.and_then(|_| timings.runnable_wait());
        let flow = terminal_effects(dispatch(&mut state, action, &worker), audit, codes);
        let press = key_at.map(|at| KeyPress {
            at,
            handled: at.elapsed(),
            runnable,
        });
        if flow.quit {
            return finish(&state);
        }
        if flow.suspend {
            suspend(terminal, enhanced)?;
            let size = terminal.size()?;
            dispatch(&mut state, Action::Resize(size.width, size.height), &worker);
        }
        if let Some(command) = flow.sign_in {
            // The command reads the terminal: the event reader stops meanwhile.
            drop(events);
            let next = signed_in(terminal, enhanced, &command).await?;
            events = EventStream::new();
            let size = terminal.size()?;
            dispatch(&mut state, Action::Resize(size.width, size.height), &worker);
            let _ = terminal_effects(dispatch(&mut state, next, &worker), audit, codes);
        }
        // After a key press, draw it first; else fold in the results
        // already waiting, then draw once.
        if key_at.is_none() && fold_waiting(&mut state, &mut rx, &worker, audit, codes) {
            return finish(&state);
        }
        if let Err(err) = draw(terminal, &state, theme, &mut timings, press) {
            let why = format!("cannot write to the terminal: {err}");
            return terminal_gone(&mut state, &worker, &mut rx, audit, &why).await;
        }
    }
}

/// Draw a frame and note the milestones it shows; with a key press waiting
/// for it, how long the press took to answer.
fn draw(
    terminal: &mut Screen,
    state: &State,
    theme: &Theme,
    timings: &mut Timings,
    press: Option<KeyPress>,
) -> std::io::Result<()> {
    let mut rendered = Duration::ZERO;
    terminal.draw(|frame| {
        let started = std::time::Instant::now();
        ui::render(state, theme, frame);
        rendered = started.elapsed();
    })?;
    timings.frame(state);
    if let Some(press) = press {
        timings.key_answered(&press, rendered);
    }
    Ok(())
}

/// Fold in the results already waiting, a batch bounded in number and
/// time so key presses are never starved by a flood of results. `true`:
/// one of them quits.
fn fold_waiting(
    state: &mut State,
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<Action>,
    worker: &Worker,
    audit: Option<&AuditLog>,
    codes: Option<&UiCodes>,
) -> bool {
    let until = std::time::Instant::now() + FOLD_BUDGET;
    let mut batch = 0;
    while batch < MAX_BATCH
        && std::time::Instant::now() < until
        && let Ok(action) = rx.try_recv()
    {
        batch += 1;
        if terminal_effects(dispatch(state, action, worker), audit, codes).quit {
            return true;
        }
    }
    false
}

/// Codes typed in the UI's dialog: each request goes to the update loop as
/// [`crate::action::Action::CodeWanted`], and the dialog's answer comes back
/// through [`UiCodes::answer`] (the driver that asks is the one that answers) (`None`: cancelled).
#[derive(Debug)]
pub struct UiCodes {
    tx: tokio::sync::mpsc::UnboundedSender<crate::action::Action>,
    waiting: std::sync::Mutex<
        std::collections::HashMap<u64, tokio::sync::oneshot::Sender<Option<crate::secret::Secret>>>,
    >,
    next: std::sync::atomic::AtomicU64,
}

impl UiCodes {
    #[must_use]
    pub fn new(tx: tokio::sync::mpsc::UnboundedSender<crate::action::Action>) -> Self {
        Self {
            tx,
            waiting: std::sync::Mutex::new(std::collections::HashMap::new()),
            next: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// The dialog `id` was answered: the code, or `None` when cancelled.
    pub fn answer(&self, id: u64, code: Option<crate::secret::Secret>) {
        if let Some(reply) = self
            .waiting
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&id)
        {
            let _ = reply.send(code);
        }
    }
}

#[async_trait::async_trait]
impl crate::signin::mfa::Codes for UiCodes {
    async fn code(
        &self,
        plan: &crate::signin::plan::Plan,
        refused: Option<&str>,
    ) -> Result<crate::secret::Secret, String> {
        let id = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.waiting
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(id, reply);
        let gone = || "the UI is gone".to_owned();
        self.tx
            .send(crate::action::Action::CodeWanted {
                id,
                prompt: plan.prompt(),
                refused: refused.map(ToOwned::to_owned),
            })
            .map_err(|_| gone())?;
        match answer.await {
            Ok(Some(code)) => Ok(code),
            Ok(None) => Err(format!(
                "signing in to profile {} was cancelled: press r to sign in again",
                plan.profile
            )),
            Err(_) => Err(gone()),
        }
    }
}
