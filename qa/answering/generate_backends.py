"""The --llm backends: a local causal LM folder (transformers) or an OpenAI-compatible endpoint."""

from __future__ import annotations

import http.client
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Protocol

from qa.answering.generate_prompt import SYSTEM_PROMPT
from qa.errors import QAError

MAX_RESPONSE_BYTES = 1_000_000  # an HTTP answer larger than this is refused


class GenerationError(QAError):
    """The --llm model or endpoint failed or answered in a form we cannot use."""


class Generator(Protocol):
    """Anything that turns a prompt (the user message; SYSTEM_PROMPT is its own) into text."""

    def generate(self, prompt: str, max_new_tokens: int) -> str: ...


class TransformersGenerator:
    """A local causal LM folder (save_pretrained output), greedy decoding, never downloads."""

    def __init__(self, model_path: Path):
        try:
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError as e:  # pragma: no cover - transformers is a core dependency today
            raise ImportError(
                "--llm with a model folder needs transformers and torch: "
                "pip install transformers torch"
            ) from e
        path = Path(model_path)
        if not (path / "config.json").is_file():
            raise GenerationError(
                f"no model at {path}: pass a folder with config.json and tokenizer files "
                "(as written by save_pretrained), or an http(s):// endpoint URL"
            )
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
            self.model = AutoModelForCausalLM.from_pretrained(path, local_files_only=True)
        except (OSError, ValueError, KeyError) as e:
            raise GenerationError(f"could not load the model at {path}: {e}") from e
        self.model.eval()
        self.name = f"transformers:{path}"

    def _text(self, prompt: str) -> tuple[str, bool]:
        """The model input, through its chat template when it has one; and whether that was used."""
        if getattr(self.tokenizer, "chat_template", None):
            messages = [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": prompt},
            ]
            text = self.tokenizer.apply_chat_template(
                messages, tokenize=False, add_generation_prompt=True
            )
            return text, True
        return f"{SYSTEM_PROMPT}\n\n{prompt}\n\nAnswer:", False

    def generate(self, prompt: str, max_new_tokens: int) -> str:
        """Only the newly generated text, stripped."""
        import torch

        text, templated = self._text(prompt)
        enc = self.tokenizer(text, return_tensors="pt", add_special_tokens=not templated)
        n = int(enc["input_ids"].shape[1])
        limit = getattr(self.model.config, "max_position_embeddings", None)
        if limit and n + max_new_tokens > limit:
            raise GenerationError(
                f"the prompt is {n} tokens and {max_new_tokens} more are asked for, but "
                f"{self.name} takes at most {limit}; use a model with a longer context"
            )
        pad = self.tokenizer.pad_token_id
        if pad is None:
            pad = self.tokenizer.eos_token_id
        with torch.inference_mode():
            out = self.model.generate(
                **enc,
                max_new_tokens=max_new_tokens,
                do_sample=False,
                num_beams=1,
                pad_token_id=pad,
            )
        return self.tokenizer.decode(out[0, n:], skip_special_tokens=True).strip()


def chat_completions_url(url: str) -> str:
    """The chat-completions endpoint for a server URL, a .../v1 URL or the endpoint itself.

    A query string (e.g. ?api-version=...) is kept. Example:
    chat_completions_url("http://127.0.0.1:8080") -> "http://127.0.0.1:8080/v1/chat/completions"
    """
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise GenerationError(f"the --llm URL must start with http:// or https://, got {url!r}")
    path = parts.path.rstrip("/")
    if not path.endswith("/chat/completions"):
        path += "/chat/completions" if path.endswith("/v1") else "/v1/chat/completions"
    return urllib.parse.urlunsplit(parts._replace(path=path, fragment=""))


class HttpGenerator:
    """An OpenAI-compatible chat-completions endpoint (llama.cpp server, vLLM, Ollama, ...)."""

    def __init__(
        self, url: str, model: str = "default", timeout: float = 30, api_key: str | None = None
    ):
        if timeout <= 0:
            raise ValueError(f"timeout must be greater than 0. Currently, timeout is {timeout}")
        self.endpoint = chat_completions_url(url)
        self.model = model
        self.timeout = timeout
        self._api_key = api_key
        # The name goes into Answer.generation: keep user:password and query strings out of it.
        parts = urllib.parse.urlsplit(self.endpoint)
        host = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
        self.name = f"http:{parts.scheme}://{host}{parts.path} model={model}"

    def generate(self, prompt: str, max_new_tokens: int) -> str:
        """The first choice's message content; GenerationError on any failure, naming the fix."""
        body = {
            "model": self.model,
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": prompt},
            ],
            "temperature": 0,
            "max_tokens": max_new_tokens,
        }
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        request = urllib.request.Request(
            self.endpoint, data=json.dumps(body).encode("utf-8"), headers=headers, method="POST"
        )
        where = f"the LLM endpoint {self.endpoint}"
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read(MAX_RESPONSE_BYTES + 1)
        except urllib.error.HTTPError as e:
            detail = e.read(500).decode("utf-8", "replace").strip() if e.fp else ""
            raise GenerationError(
                f"{where} answered HTTP {e.code} {e.reason}"
                + (f": {detail}" if detail else "")
                + "; check the URL, the --llm-model name and the server log"
            ) from e
        except (urllib.error.URLError, http.client.HTTPException, OSError) as e:
            reason = getattr(e, "reason", e)
            raise GenerationError(
                f"could not get an answer from {where}: {reason} (timeout {self.timeout:g} s); "
                "check that the server is running and the URL is right"
            ) from e
        if len(raw) > MAX_RESPONSE_BYTES:
            raise GenerationError(
                f"{where} sent more than {MAX_RESPONSE_BYTES:,} bytes; lower max_tokens"
            )
        return _content(raw, where)


def _content(raw: bytes, where: str) -> str:
    """choices[0].message.content of a chat-completions response body."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except ValueError as e:
        preview = raw[:200].decode("utf-8", "replace")
        raise GenerationError(
            f"{where} did not return valid JSON ({e}); it began with {preview!r}. "
            "Is this an OpenAI-compatible /v1/chat/completions endpoint?"
        ) from e
    try:
        content = data["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError) as e:
        error = data.get("error") if isinstance(data, dict) else None
        raise GenerationError(
            f"{where} returned JSON without choices[0].message.content"
            + (f" (error: {error})" if error else "")
            + "; is this an OpenAI-compatible /v1/chat/completions endpoint?"
        ) from e
    if not isinstance(content, str):
        raise GenerationError(f"{where} returned a non-text message content: {content!r:.200}")
    return content.strip()


def make_generator(
    spec: str, model: str = "default", timeout: float = 30, api_key: str | None = None
) -> Generator:
    """The generator for an --llm value: an http(s):// URL, or else a local model folder."""
    if re.match(r"^https?://", spec.strip(), re.IGNORECASE):
        return HttpGenerator(spec, model=model, timeout=timeout, api_key=api_key)
    return TransformersGenerator(Path(spec).expanduser())
