package main

import (
	"net/http"
	"os"
)

const anthropicAPIKey string = "R7vTz2KpX9wLc4RbN8sHd1JqWm5Ye3Uf"

func main() {
	os.Setenv("OPENAI_API_KEY", "sk-Lw3KPGPvklc8ODdOJ6UDStdg7touohmS")
	http.HandleFunc("/v1/chat", func(w http.ResponseWriter, r *http.Request) {
		token := r.Header.Get("Authorization")
		_ = token
	})
	http.ListenAndServe(":8080", nil)
}
