package model

import "strings"

// parsePromptTemplate splits a raw prompt of the prompt-based families
// (Llama, Mistral, Titan Text) into a system prompt and conversation turns,
// understanding the chat templates their documentation uses:
//
//   - Llama 3: <|start_header_id|>role<|end_header_id|> … <|eot_id|>
//   - Llama 2 and Mistral: <s>[INST] <<SYS>> … <</SYS>> … [/INST] … </s>
//   - Titan: "User: …\nBot:"
//
// A prompt in none of these forms is one user turn.
func parsePromptTemplate(prompt string) (system []string, turns []Turn) {
	switch {
	case strings.Contains(prompt, "<|start_header_id|>"):
		return parseLlama3(prompt)
	case strings.Contains(prompt, "[INST]"):
		return parseInst(prompt)
	}
	text := strings.TrimSpace(prompt)
	if strings.HasPrefix(text, "User:") && strings.HasSuffix(text, "Bot:") {
		text = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(text, "User:"), "Bot:"))
	}
	return nil, []Turn{{Role: "user", Text: text}}
}

func parseLlama3(prompt string) (system []string, turns []Turn) {
	for _, seg := range strings.Split(prompt, "<|start_header_id|>")[1:] {
		role, content, ok := strings.Cut(seg, "<|end_header_id|>")
		if !ok {
			continue
		}
		content, _, _ = strings.Cut(content, "<|eot_id|>")
		content = strings.TrimSpace(content)
		role = strings.TrimSpace(role)
		switch {
		case content == "":
			// The trailing assistant header asks the model to answer.
		case role == "system":
			system = append(system, content)
		case role == "assistant":
			turns = append(turns, Turn{Role: "assistant", Text: content})
		default:
			turns = append(turns, Turn{Role: "user", Text: content})
		}
	}
	return system, turns
}

func parseInst(prompt string) (system []string, turns []Turn) {
	prompt = strings.ReplaceAll(prompt, "<s>", "")
	for _, seg := range strings.Split(prompt, "[INST]")[1:] {
		user, answer, _ := strings.Cut(seg, "[/INST]")
		if before, rest, ok := strings.Cut(user, "<<SYS>>"); ok {
			sys, after, _ := strings.Cut(rest, "<</SYS>>")
			if s := strings.TrimSpace(sys); s != "" {
				system = append(system, s)
			}
			user = before + after
		}
		turns = append(turns, Turn{Role: "user", Text: strings.TrimSpace(user)})
		if a := strings.TrimSpace(strings.ReplaceAll(answer, "</s>", "")); a != "" {
			turns = append(turns, Turn{Role: "assistant", Text: a})
		}
	}
	return system, turns
}
