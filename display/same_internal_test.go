package display

import (
	"reflect"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/internal/jsonenc/jsonenctest"
	"github.com/mpp-digital/antrean/queue"
)

// samePublic decides whether a phone is sent a ticket's view again: it
// must see a change in every field, also one added to PublicTicket later.
func TestSamePublicSeesEveryField(t *testing.T) {
	var a queue.PublicTicket
	jsonenctest.Fill(&a)
	b := a
	if !samePublic(&a, &b) {
		t.Fatal("a view differs from its copy")
	}
	typ := reflect.TypeOf(a)
	for i := range typ.NumField() {
		c := a
		f := reflect.ValueOf(&c).Elem().Field(i)
		switch v := f.Addr().Interface().(type) {
		case *string:
			*v += "x"
		case *bool:
			*v = !*v
		case *int:
			*v++
		case *queue.Status:
			*v += "x"
		case **int:
			n := **v + 1
			*v = &n
		case *time.Time:
			*v = v.Add(time.Second)
		case **time.Time:
			later := (*v).Add(time.Second)
			*v = &later
		case *[]string:
			*v = append([]string{"extra"}, *v...)
		default:
			t.Fatalf("field %s of type %s: teach this test how to change it", typ.Field(i).Name, f.Type())
		}
		if samePublic(&a, &c) {
			t.Errorf("a change of %s is not seen", typ.Field(i).Name)
		}
	}
}
