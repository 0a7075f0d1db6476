"""PAR criteria sets (*Bộ chỉ số CCHC*) as versioned data: their definition and loader."""
