import OpenAI from "openai";

const client = new OpenAI({ apiKey: "sk-proj-Hq83NQjuV32S9OUU9RnQraWbz7A6JiBj" });
const fromEnv = new OpenAI({ apiKey: process.env.OPENAI_API_KEY });
const placeholder = new OpenAI({ apiKey: "sk-your-key-here" });

export async function ask(question: string): Promise<string> {
  const reply = await client.chat.completions.create({
    model: "gpt-4o-mini-2024-07-18",
    max_tokens: 512,
    messages: [{ role: "user", content: question }],
  });
  return reply.choices[0].message.content ?? "";
}
