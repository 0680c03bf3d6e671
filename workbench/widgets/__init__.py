"""Views: anywidget live views with static fallbacks. They observe the core stores; they never
hold the only copy of data."""
