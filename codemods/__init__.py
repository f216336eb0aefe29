"""openrouter-migrate: move OpenAI SDK code from OpenAI to OpenRouter."""

__version__ = "0.1.0"
