import { HfInference } from "@huggingface/inference";

const HF_TOKEN = "hf_QmTzKpXwLcRbNsHdJvYgFaEuOiPlMnBkCxZq";
const hf = new HfInference(HF_TOKEN);
const maxTokens = 4096;
export const embed = (texts) => hf.featureExtraction({ model: "BAAI/bge-small-en-v1.5", inputs: texts });
