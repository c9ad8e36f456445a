"""Analysis providers behind one interface, chosen by settings.ASSISTANT_PROVIDER:

- `local` (default): offline and deterministic (hms.assistant.prescription_parser);
- `groq`: the official `groq` client (GROQ_API_KEY, GROQ_MODEL, optional GROQ_BASE_URL);
- `openai`: any OpenAI-compatible chat-completions endpoint (ASSISTANT_OPENAI_BASE_URL,
  ASSISTANT_OPENAI_API_KEY, ASSISTANT_OPENAI_MODEL), e.g. a model served inside the hospital.

A remote provider receives only the de-identified clinical text and clinical context (allergy
substances, current drug names); it answers JSON. Any failure raises ProviderError, and the
service falls back to the local analyser, saying so in the response.
"""

import json
from dataclasses import dataclass, field

import groq
import httpx
from django.conf import settings

SYSTEM_PROMPT = (
    "You are a clinical pharmacist's assistant in a hospital. You read one prescription and "
    "return ONLY a JSON object, no prose around it, of this shape:\n"
    '{"drugs": [{"name": "generic name", "dose": number or null, "unit": "mg|mcg|g|ml|'
    'tablet|capsule|puff|drop|unit", "route": "oral|iv|im|sc|topical|inhaled|rectal|'
    'sublingual|ophthalmic|other", "frequency": "od|bd|tds|qds|q4h|q6h|q8h|q12h|mane|nocte|'
    'weekly|stat|prn", "duration_days": integer or null, "quantity": integer or null, '
    '"instructions": "short text"}], "explanation": "a short explanation for the patient in '
    'plain language (no jargon, second person), saying how to take each medicine"}\n'
    "Use generic (INN) drug names. Do not invent drugs that are not in the text. The text "
    "has had personal identifiers removed ([REDACTED], [DATE], [NUMBER]); never guess them."
)


class ProviderError(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class ProviderAnswer:
    drugs: list[dict]
    explanation: str
    model: str = ""
    raw: dict = field(default_factory=dict)


def build_user_prompt(*, clinical_text: str, context: dict) -> str:
    lines = ["Prescription:", clinical_text.strip(), ""]
    if context.get("allergies"):
        lines.append("Recorded allergies: " + ", ".join(context["allergies"]))
    if context.get("current_medicines"):
        lines.append("Current medicines: " + ", ".join(context["current_medicines"]))
    return "\n".join(lines).strip()


def parse_answer(content: str, *, model: str) -> ProviderAnswer:
    try:
        text = content.strip()
        if text.startswith("```"):
            text = text.strip("`")
            text = text[text.find("{") :]
        data = json.loads(text)
    except (json.JSONDecodeError, AttributeError) as exc:
        raise ProviderError("invalid_response: not JSON") from exc
    if not isinstance(data, dict) or not isinstance(data.get("drugs"), list):
        raise ProviderError("invalid_response: no drugs list")
    drugs = [d for d in data["drugs"] if isinstance(d, dict) and str(d.get("name") or "").strip()]
    explanation = data.get("explanation")
    return ProviderAnswer(
        drugs=drugs,
        explanation=explanation.strip() if isinstance(explanation, str) else "",
        model=model,
        raw=data,
    )


class LocalProvider:
    name = "local"
    remote = False


class GroqProvider:
    name = "groq"
    remote = True

    def __init__(self):
        self.model = settings.GROQ_MODEL

    def configured(self) -> str | None:
        return None if settings.GROQ_API_KEY else "GROQ_API_KEY is not set"

    def complete(self, *, clinical_text: str, context: dict) -> ProviderAnswer:
        client = groq.Groq(
            api_key=settings.GROQ_API_KEY,
            base_url=settings.GROQ_BASE_URL or None,
            timeout=settings.ASSISTANT_TIMEOUT_SECONDS,
            max_retries=0,
        )
        try:
            completion = client.chat.completions.create(
                model=self.model,
                temperature=0,
                response_format={"type": "json_object"},
                messages=[
                    {"role": "system", "content": SYSTEM_PROMPT},
                    {
                        "role": "user",
                        "content": build_user_prompt(clinical_text=clinical_text, context=context),
                    },
                ],
            )
        except groq.APITimeoutError as exc:
            raise ProviderError("timeout") from exc
        except groq.APIStatusError as exc:
            raise ProviderError(f"http_{exc.status_code}") from exc
        except groq.APIError as exc:
            raise ProviderError(f"error: {type(exc).__name__}") from exc
        finally:
            client.close()
        try:
            content = completion.choices[0].message.content or ""
        except (AttributeError, IndexError) as exc:
            raise ProviderError("invalid_response: no choices") from exc
        return parse_answer(content, model=getattr(completion, "model", "") or self.model)


class OpenAICompatibleProvider:
    name = "openai"
    remote = True

    def __init__(self):
        self.model = settings.ASSISTANT_OPENAI_MODEL
        self.base_url = settings.ASSISTANT_OPENAI_BASE_URL.rstrip("/")

    def configured(self) -> str | None:
        if not self.base_url:
            return "ASSISTANT_OPENAI_BASE_URL is not set"
        if not self.model:
            return "ASSISTANT_OPENAI_MODEL is not set"
        return None

    def complete(self, *, clinical_text: str, context: dict) -> ProviderAnswer:
        headers = {"Content-Type": "application/json"}
        if settings.ASSISTANT_OPENAI_API_KEY:
            headers["Authorization"] = f"Bearer {settings.ASSISTANT_OPENAI_API_KEY}"
        body = {
            "model": self.model,
            "temperature": 0,
            "response_format": {"type": "json_object"},
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {
                    "role": "user",
                    "content": build_user_prompt(clinical_text=clinical_text, context=context),
                },
            ],
        }
        try:
            response = httpx.post(
                f"{self.base_url}/chat/completions",
                json=body,
                headers=headers,
                timeout=settings.ASSISTANT_TIMEOUT_SECONDS,
            )
        except httpx.TimeoutException as exc:
            raise ProviderError("timeout") from exc
        except httpx.HTTPError as exc:
            raise ProviderError(f"error: {type(exc).__name__}") from exc
        if response.status_code != 200:
            raise ProviderError(f"http_{response.status_code}")
        try:
            payload = response.json()
            content = payload["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise ProviderError("invalid_response: not a chat completion") from exc
        return parse_answer(content or "", model=payload.get("model") or self.model)


PROVIDERS = {
    "local": LocalProvider,
    "groq": GroqProvider,
    "openai": OpenAICompatibleProvider,
}


def configured_provider():
    name = (settings.ASSISTANT_PROVIDER or "local").strip().lower()
    return PROVIDERS.get(name, LocalProvider)()
