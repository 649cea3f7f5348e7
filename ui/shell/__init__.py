"""The window's shell: start-up, the main window and its frame, actions, status bar,
errors, dialogs and background jobs."""
