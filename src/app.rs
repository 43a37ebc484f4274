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
use ratatui::DefaultTerminal;
use tokio::sync::mpsc;

use crate::action::Action;
use crate::clipboard;
use crate::effect::Effect;
use crate::iam::IamClient;
use crate::state::State;
use crate::timings::Timings;
use crate::ui::{self, Theme};
use crate::update::update;
use crate::worker::{Settings, Worker};

/// Results folded in before the next frame is drawn.
const MAX_BATCH: usize = 512;

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

/// Carry out the terminal's effects. Returns `true` to quit.
fn terminal_effects(effects: Vec<Effect>) -> bool {
    let mut quit = false;
    for effect in effects {
        match effect {
            Effect::Copy(text) => {
                if let Err(err) = clipboard::copy(&text) {
                    tracing::warn!(%err, "cannot write to the clipboard");
                }
            }
            Effect::Quit => quit = true,
            Effect::Abandon(changes) => {
                for change in changes {
                    tracing::warn!(
                        action = change.action(),
                        user = change.user(),
                        key = ?change.key_id(),
                        "quit with this change in flight (abandoned by a second Ctrl-C): IAM may or may not have applied it, and its outcome is not in the audit log"
                    );
                }
            }
            _ => {}
        }
    }
    quit
}

/// Run the terminal UI until the operator quits. The terminal is restored on
/// every exit path; a panic hook restores it before the report is printed.
///
/// # Errors
/// The terminal could not be set up or written to.
pub async fn run(
    client: Arc<dyn IamClient>,
    state: State,
    theme: Theme,
    settings: Settings,
) -> Result<()> {
    let mut terminal = ratatui::try_init().wrap_err("cannot set up the terminal")?;
    // Bracketed paste lets a key ID be pasted into the delete dialog. The hook
    // turns it off on a panic, before ratatui's hook restores the rest.
    // The mouse selects and scrolls (Shift-drag still selects text in most terminals).
    let _ = crossterm::execute!(std::io::stdout(), EnableBracketedPaste, EnableMouseCapture);
    // Where the terminal can tell a held key's repeats from presses, ask it
    // to: `update` lets repeats move the cursor and nothing else.
    let enhanced = crossterm::terminal::supports_keyboard_enhancement().unwrap_or(false);
    if enhanced {
        let _ = crossterm::execute!(
            std::io::stdout(),
            PushKeyboardEnhancementFlags(
                KeyboardEnhancementFlags::DISAMBIGUATE_ESCAPE_CODES
                    | KeyboardEnhancementFlags::REPORT_EVENT_TYPES
            )
        );
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_modes(enhanced);
        previous(info);
    }));
    let result = event_loop(&mut terminal, client, state, &theme, &settings).await;
    restore_modes(enhanced);
    ratatui::try_restore().wrap_err("cannot restore the terminal")?;
    result
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
    terminal: &mut DefaultTerminal,
    client: Arc<dyn IamClient>,
    mut state: State,
    theme: &Theme,
    settings: &Settings,
) -> Result<()> {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let worker = Worker::new(client, tx, settings);
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
                Some(Err(err)) => return Err(err).wrap_err("cannot read terminal events"),
                None => return Ok(()),
            },
            Some(action) = rx.recv() => action,
            _ = ticker.tick() => Action::Tick(Utc::now()),
        };
        if terminal_effects(dispatch(&mut state, action, &worker)) {
            return finish(&state);
        }
        // Fold in the results already waiting (a bounded batch, so key
        // presses are never starved by a flood of results), then draw once.
        let mut batch = 0;
        while batch < MAX_BATCH
            && let Ok(action) = rx.try_recv()
        {
            batch += 1;
            if terminal_effects(dispatch(&mut state, action, &worker)) {
                return finish(&state);
            }
        }
        terminal.draw(|frame| ui::render(&state, theme, frame))?;
        timings.frame(&state);
        if let Some(at) = key_at {
            timings.key_answered(at.elapsed());
        }
    }
}
