package region

type users struct{ r *Region }

func newUsers(r *Region) *users    { return &users{r: r} }
func (u *users) firstStart() error { return nil }
