"""Reference renderings of Hugging Face style chat templates, for ChatTemplateJinjaTest.

Renders each template as transformers does (jinja2's ImmutableSandboxedEnvironment with trim_blocks=True and
lstrip_blocks=True, a raise_exception global), for several conversations, with and without add_generation_prompt.
The templates are the simple forms published with well-known models (ChatML, Zephyr, Llama 2, Mistral, Gemma,
Llama 3, Phi-3, Qwen2) plus one that exercises the rest of the supported subset.

Run (a Python with jinja2; generated with jinja2 3.1.6): python3 benchmarks/reference/make_chat_template_refs.py > ember-llm/src/test/resources/chat/templates.json
"""
import json
import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

TEMPLATES = {
    "chatml": "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}",
    "zephyr": "{% for message in messages %}\n{% if message['role'] == 'user' %}\n{{ '<|user|>\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'system' %}\n{{ '<|system|>\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'assistant' %}\n{{ '<|assistant|>\n'  + message['content'] + eos_token }}\n{% endif %}\n{% if loop.last and add_generation_prompt %}\n{{ '<|assistant|>' }}\n{% endif %}\n{% endfor %}",
    "llama2": "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}{% for message in loop_messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}{% else %}{% set content = message['content'] %}{% endif %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}",
    "mistral": "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}",
    "gemma": "{{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if (message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}{% endif %}{{ '<start_of_turn>' + role + '\n' + message['content'] | trim + '<end_of_turn>\n' }}{% endfor %}{% if add_generation_prompt %}{{'<start_of_turn>model\n'}}{% endif %}",
    "llama3": "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}",
    "phi3": "{% for message in messages %}{% if message['role'] == 'system' %}{{'<|system|>\n' + message['content'] + '<|end|>\n'}}{% elif message['role'] == 'user' %}{{'<|user|>\n' + message['content'] + '<|end|>\n'}}{% elif message['role'] == 'assistant' %}{{'<|assistant|>\n' + message['content'] + '<|end|>\n'}}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\n' }}{% else %}{{ eos_token }}{% endif %}",
    "qwen2": "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}",
    "subset": """{#- exercises the rest of the subset -#}
{%- set n = messages | length -%}
{{ bos_token ~ '[' ~ n ~ ' turns]' }}
  {% for m in messages %}
    {%- if m.role in ['system', 'user'] and m.content is defined -%}
{{ loop.index }}/{{ loop.length }} {{ m.role | upper }}{{ ':' if loop.first else ';' }} {{ m['content'].lstrip().rstrip('.!') }}
    {% elif m.role == 'assistant' and not m.content.startswith('#') -%}
      A({{ loop.revindex0 }}) {{- ' ' + m.content | trim | lower }}{{ '' if loop.last else '\\n' }}
    {%- else %}
? {{ m.role ~ (m.content | string) }} {{ 7 // 2 }} {{ -7 % 3 }} {{ 1.5 * 2 }} {{ 'ab' * 2 }} {{ messages[-1].role }} {{ unknown_var is not defined }}
{%+ endif %}
  {%- endfor %}
{% if add_generation_prompt -%}
>>> {{ eos_token if eos_token is string else 'none' }}{{ (messages | first).role[:3] }}{{ (messages | last)['content'][-2:] }}
{%- endif %}""",
    # constructs once rendered differently from jinja2 (ChatTemplateJinjaTest keeps them equal): loop.previtem and
    # nextitem, strings indexed and sliced by code point, Python's float and string repr, escapes in string literals,
    # '-x|f' as f(-x), 'in' an undefined value, '}}' inside a string literal, exponent and underscore number literals
    "edges": """{%- for m in messages -%}
{{ loop.index }}{{ loop.previtem.role if loop.previtem is defined else '^' }} {{ loop.nextitem['role'] if loop.nextitem is defined else '$' }} {{ loop.depth }}{{ loop.depth0 }}: {{ m.content[-2:] }}|{{ m.content[1] }}|{{ m.content[1:3] }}|{{ m.content | length }}|{{ m.content | last }}
{% endfor -%}
{{ 1.5 * 10000000 }} {{ 0.0001 }} {{ 0.00001 }} {{ 1e16 }} {{ 2.5e-3 }} {{ 1_000 }} {{ 1 / 3 }} {{ 10 / 4 }} {{ -0.0 }} {{ 123456789.0 * 1e9 }}
{{ '\\u00e9\\x41\\t|\\101' }}{{ "\\U0001F600" }}
{{ [messages[0].content, "it's", 'a"b', 'x\\ty', 'both\\'"', '\\x7f\\xa0', none, true, 1.0, 1e20] }}
{{ messages[-1] }}
{{ -3 | string }} {{ 'x' in undefined_thing }} {{ 'x' not in undefined_thing }} {{ '}}' ~ "%}" }}
""",
}

CONVERSATIONS = {
    "user": [{"role": "user", "content": "Hello there."}],
    "system_user_assistant": [
        {"role": "system", "content": "You answer riddles."},
        {"role": "user", "content": " What has keys but no locks?"},
        {"role": "assistant", "content": "A piano! "},
    ],
    "two_turns": [
        {"role": "user", "content": "Hi!"},
        {"role": "assistant", "content": "Hello, how can I help?"},
        {"role": "user", "content": "Tell me a riddle."},
        {"role": "assistant", "content": "#What walks on four legs?"},
    ],
    "quotes_emoji": [
        {"role": "user", "content": "It's \U0001F600 \"ok\"\tyes"},
        {"role": "assistant", "content": "b\U0001F600c"},
    ],
    "system_user": [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Why?\nBecause."},
    ],
}


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
env.globals["raise_exception"] = raise_exception
out = {"jinja2": jinja2.__version__, "bos_token": "<s>", "eos_token": "</s>", "templates": TEMPLATES, "cases": []}
for name, src in TEMPLATES.items():
    template = env.from_string(src)
    for conv_name, conv in CONVERSATIONS.items():
        for gen in (False, True):
            case = {"template": name, "conversation": conv_name, "messages": conv, "add_generation_prompt": gen}
            try:
                case["text"] = template.render(messages=conv, bos_token="<s>", eos_token="</s>", add_generation_prompt=gen)
            except jinja2.exceptions.TemplateError as e:
                case["error"] = str(e)
            out["cases"].append(case)
print(json.dumps(out, indent=1))
