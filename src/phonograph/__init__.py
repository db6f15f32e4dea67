"""phonograph: Twilio Programmable Voice's REST API and TwiML for call recording, self-hosted."""

__version__ = "0.1.0"
