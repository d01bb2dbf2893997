"""A small help desk built on the OpenAI Assistants API: the application the example tests exercise."""

from .app import Answer, AsyncHelpDesk, HelpDesk, HelpDeskError, call_tool

__all__ = ["Answer", "AsyncHelpDesk", "HelpDesk", "HelpDeskError", "call_tool"]
