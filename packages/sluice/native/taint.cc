// Sluice native taint core: tainted strings are V8 external strings whose resource (a class
// of ours) owns a copy of the characters and a handle to the frozen JS array of ranges.
// Everything else (range arithmetic, validation, freezing) lives in TypeScript; see
// docs/internals/taint-engine.md.
//
// Written against v8.h/node.h rather than N-API because external strings and their
// resources are only reachable through V8's own API. V8 differences across Node 20 (V8 11.3),
// 22 (V8 12.4) and 24 (V8 13.6) are handled with V8_MAJOR_VERSION guards.

#include <node.h>
#include <v8.h>

#include <atomic>
#include <memory>
#include <cstdint>
#include <mutex>
#include <new>
#include <vector>

namespace sluice {

using v8::Context;
using v8::External;
using v8::FunctionCallbackInfo;
using v8::FunctionTemplate;
using v8::Global;
using v8::Isolate;
using v8::Local;
using v8::MaybeLocal;
using v8::Number;
using v8::Object;
using v8::String;
using v8::Value;

class AddonState;

// What both resource kinds carry besides their characters. `owner` lets generic code delete
// the resource through its public virtual destructor.
struct TaintRecord {
  AddonState* state = nullptr;
  String::ExternalStringResourceBase* owner = nullptr;
  Global<Value> ranges;
  size_t bytes = 0;
  TaintRecord* prev = nullptr;
  TaintRecord* next = nullptr;
};

// What V8 is told a tainted string costs outside its heap: the characters plus the resource,
// the allocator's header and the global handle node. Counting only the characters let
// millions of short tainted strings pile up (hundreds of MB) before a full collection.
constexpr int64_t kPerStringOverhead = 128;

int64_t ExternalCost(const TaintRecord* record) {
  return static_cast<int64_t>(record->bytes) + kPerStringOverhead;
}

// One instance per Node environment (main thread, each worker): the addon is context aware.
class AddonState {
 public:
  explicit AddonState(Isolate* isolate)
      : isolate_(isolate), live_view_(v8::ArrayBuffer::NewBackingStore(isolate, sizeof(int32_t))) {
    PublishLive();
  }

  Isolate* isolate() const { return isolate_; }

  // The memory behind the exported `live` Int32Array: element 0 is the number of live tainted
  // strings, so that JavaScript can test for "no taint at all" without calling in. Shared
  // ownership keeps it valid for the array whichever of the two goes first.
  std::shared_ptr<v8::BackingStore> live_view() const { return live_view_; }

  // Called from the resources' Dispose(), i.e. inside a GC: no V8 heap or handle access here.
  // The record leaves the live list and its bytes stop counting now; its Global is reset
  // later, on the main thread, by Drain().
  void Disposed(TaintRecord* record) {
    bool delete_now = false;
    bool delete_state = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      Unlink(record);
      live_strings_--;
      live_bytes_ -= record->bytes;
      PublishLive();
      if (closed_) {
        // The cleanup hook already reset every Global: the handle is empty.
        delete_now = true;
        delete_state = live_strings_ == 0;
      } else {
        pending_.push_back(record);
        has_pending_.store(true, std::memory_order_relaxed);
      }
    }
    if (delete_now) delete record->owner;
    if (delete_state) delete this;
  }

  void Register(TaintRecord* record) {
    std::lock_guard<std::mutex> lock(mutex_);
    record->state = this;
    record->next = head_;
    if (head_ != nullptr) head_->prev = record;
    head_ = record;
    live_strings_++;
    live_bytes_ += record->bytes;
    created_++;
    PublishLive();
  }

  // Frees resources whose strings the GC collected since the last call.
  void Drain() {
    if (!has_pending_.load(std::memory_order_relaxed)) return;
    std::vector<TaintRecord*> batch;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      batch.swap(pending_);
      has_pending_.store(false, std::memory_order_relaxed);
    }
    int64_t freed = 0;
    for (TaintRecord* record : batch) {
      freed += ExternalCost(record);
      record->ranges.Reset();
      delete record->owner;
    }
    if (freed != 0) isolate_->AdjustAmountOfExternalAllocatedMemory(-freed);
  }

  // Environment teardown: strings still alive are disposed by V8 after the isolate stops
  // running JS, possibly after the isolate is gone, so their Globals are reset now.
  static void Cleanup(void* arg) {
    auto* self = static_cast<AddonState*>(arg);
    self->Drain();
    bool delete_state;
    {
      std::lock_guard<std::mutex> lock(self->mutex_);
      for (TaintRecord* r = self->head_; r != nullptr; r = r->next) r->ranges.Reset();
      self->closed_ = true;
      delete_state = self->live_strings_ == 0;
    }
    if (delete_state) delete self;
  }

  void Stats(double* live_strings, double* live_bytes, double* created) {
    std::lock_guard<std::mutex> lock(mutex_);
    *live_strings = static_cast<double>(live_strings_);
    *live_bytes = static_cast<double>(live_bytes_);
    *created = static_cast<double>(created_);
  }

 private:
  // Called with mutex_ held.
  void PublishLive() {
    const uint64_t capped = live_strings_ > INT32_MAX ? INT32_MAX : live_strings_;
    static_cast<int32_t*>(live_view_->Data())[0] = static_cast<int32_t>(capped);
  }

  void Unlink(TaintRecord* record) {
    if (record->prev != nullptr) record->prev->next = record->next;
    if (record->next != nullptr) record->next->prev = record->prev;
    if (head_ == record) head_ = record->next;
    record->prev = record->next = nullptr;
  }

  Isolate* isolate_;
  std::mutex mutex_;
  std::vector<TaintRecord*> pending_;
  // Read without the lock on every call: a stale false only delays freeing to a later call.
  std::atomic<bool> has_pending_{false};
  TaintRecord* head_ = nullptr;
  uint64_t live_strings_ = 0;
  uint64_t live_bytes_ = 0;
  uint64_t created_ = 0;
  bool closed_ = false;
  std::shared_ptr<v8::BackingStore> live_view_;
};

// One allocation holds the resource and, right after it, its characters: a tainted string
// costs one malloc and one free, not two of each.
template <typename Base, typename Char>
class TaintedResource final : public Base {
 public:
  // A resource for `length` characters, to be filled through chars(); nullptr when out of memory.
  static TaintedResource* Create(size_t length) {
    void* memory = ::operator new(sizeof(TaintedResource) + length * sizeof(Char), std::nothrow);
    return memory == nullptr ? nullptr : new (memory) TaintedResource(length);
  }

  // Paired with Create's ::operator new whatever the dynamic size (a sized delete would pass
  // sizeof(TaintedResource) only).
  static void operator delete(void* memory) { ::operator delete(memory); }

  explicit TaintedResource(size_t length) : length_(length) {
    record.owner = this;
    record.bytes = length * sizeof(Char);
  }

  Char* chars() { return reinterpret_cast<Char*>(this + 1); }
  const Char* data() const override { return reinterpret_cast<const Char*>(this + 1); }
  size_t length() const override { return length_; }

  TaintRecord record;

 protected:
  void Dispose() override {
    if (record.state == nullptr) {
      delete this;  // never registered (creation failed)
      return;
    }
    record.state->Disposed(&record);
  }

 private:
  size_t length_;
};

using OneByteResource = TaintedResource<String::ExternalOneByteStringResource, char>;
using TwoByteResource = TaintedResource<String::ExternalStringResource, uint16_t>;

const void* VtableOf(const void* object) {
  // The first word of a polymorphic object is its vtable pointer (Itanium C++ ABI); RTTI is
  // off under node-gyp, so this is how we recognise our own resources.
  return *static_cast<const void* const*>(object);
}

// The vtable addresses of our two resource classes: constants of this shared object, read
// once from sample instances that are never handed to V8.
struct Vtables {
  const void* one_byte;
  const void* two_byte;
};

const Vtables& OurVtables() {
  static const Vtables vtables = [] {
    // Never given characters or handed to V8: only their vtable pointers are read.
    OneByteResource one(0);
    TwoByteResource two(0);
    return Vtables{VtableOf(&one), VtableOf(&two)};
  }();
  return vtables;
}

AddonState* StateOf(const FunctionCallbackInfo<Value>& info) {
  return static_cast<AddonState*>(info.Data().As<External>()->Value());
}

// The record of `value` when it is one of our tainted strings, else nullptr.
TaintRecord* RecordOf(Local<Value> value) {
  if (!value->IsString()) return nullptr;
  // Only a direct external string can be ours. Testing the representation inline (as V8's own
  // inline accessors do) spares untainted strings the out-of-line slow path, which would only
  // follow thin strings: those are the internalisation cases documented as a V8 limit.
  using I = v8::internal::Internals;
  const int representation = I::GetInstanceType(v8::internal::ValueHelper::ValueAsAddress(*value)) &
                             I::kStringRepresentationAndEncodingMask;
  if (representation != I::kExternalOneByteRepresentationTag &&
      representation != I::kExternalTwoByteRepresentationTag) {
    return nullptr;
  }
  String::Encoding encoding;
  String::ExternalStringResourceBase* base =
      value.As<String>()->GetExternalStringResourceBase(&encoding);
  if (base == nullptr) return nullptr;
  const void* vtable = VtableOf(base);
  const Vtables& ours = OurVtables();
  if (vtable == ours.one_byte) return &static_cast<OneByteResource*>(base)->record;
  if (vtable == ours.two_byte) return &static_cast<TwoByteResource*>(base)->record;
  return nullptr;
}

void ThrowTypeError(Isolate* isolate, const char* message) {
  isolate->ThrowException(
      v8::Exception::TypeError(String::NewFromUtf8(isolate, message).ToLocalChecked()));
}

void ThrowOutOfMemory(Isolate* isolate) {
  isolate->ThrowException(v8::Exception::RangeError(
      String::NewFromUtf8(isolate, "sluice taint: out of memory for the tainted copy")
          .ToLocalChecked()));
}

void WriteOneByte(Isolate* isolate, Local<String> str, uint8_t* out, int length) {
#if V8_MAJOR_VERSION >= 13
  str->WriteOneByteV2(isolate, 0, static_cast<uint32_t>(length), out);
#else
  str->WriteOneByte(isolate, out, 0, length, String::NO_NULL_TERMINATION);
#endif
}

void WriteTwoByte(Isolate* isolate, Local<String> str, uint16_t* out, int length) {
#if V8_MAJOR_VERSION >= 13
  str->WriteV2(isolate, 0, static_cast<uint32_t>(length), out);
#else
  str->Write(isolate, out, 0, length, String::NO_NULL_TERMINATION);
#endif
}

// taint(str, ranges): a new external string with the characters of `str` carrying `ranges`.
void Taint(const FunctionCallbackInfo<Value>& info) {
  AddonState* state = StateOf(info);
  Isolate* isolate = info.GetIsolate();
  state->Drain();
  if (info.Length() < 2 || !info[0]->IsString() || !info[1]->IsArray()) {
    ThrowTypeError(isolate, "sluice taint(str, ranges): expected a string and an array");
    return;
  }
  Local<String> str = info[0].As<String>();
  const int length = str->Length();
  if (length == 0) {
    // V8 maps every empty external string to the canonical empty string: it cannot carry taint.
    info.GetReturnValue().Set(str);
    return;
  }
  MaybeLocal<String> made;
  TaintRecord* record;
  if (str->IsOneByte() || str->ContainsOnlyOneByte()) {
    auto* resource = OneByteResource::Create(static_cast<size_t>(length));
    if (resource == nullptr) return ThrowOutOfMemory(isolate);
    WriteOneByte(isolate, str, reinterpret_cast<uint8_t*>(resource->chars()), length);
    record = &resource->record;
    made = String::NewExternalOneByte(isolate, resource);
  } else {
    auto* resource = TwoByteResource::Create(static_cast<size_t>(length));
    if (resource == nullptr) return ThrowOutOfMemory(isolate);
    WriteTwoByte(isolate, str, resource->chars(), length);
    record = &resource->record;
    made = String::NewExternalTwoByte(isolate, resource);
  }
  Local<String> result;
  if (!made.ToLocal(&result)) {
    // V8 refused the resource (length limit) and did not take ownership; an exception is
    // pending in that case.
    delete record->owner;
    return;
  }
  record->ranges.Reset(isolate, info[1]);
  state->Register(record);
  // V8 keeps external strings in old space and does not count their characters towards its
  // GC heuristics: without this, dead tainted copies pile up until the next full GC.
  isolate->AdjustAmountOfExternalAllocatedMemory(ExternalCost(record));
  info.GetReturnValue().Set(result);
}

// getRanges(value): the ranges array of a tainted string, else undefined. Never throws.
void GetRanges(const FunctionCallbackInfo<Value>& info) {
  TaintRecord* record = RecordOf(info[0]);
  if (record != nullptr && !record->ranges.IsEmpty()) info.GetReturnValue().Set(record->ranges);
}

void IsTainted(const FunctionCallbackInfo<Value>& info) {
  info.GetReturnValue().Set(RecordOf(info[0]) != nullptr);
}

// setRanges(taintedStr, ranges): replaces the ranges in place; false when not ours.
void SetRanges(const FunctionCallbackInfo<Value>& info) {
  AddonState* state = StateOf(info);
  state->Drain();
  if (info.Length() < 2 || !info[1]->IsArray()) {
    ThrowTypeError(info.GetIsolate(), "sluice setRanges(str, ranges): expected an array");
    return;
  }
  TaintRecord* record = RecordOf(info[0]);
  if (record == nullptr) {
    info.GetReturnValue().Set(false);
    return;
  }
  record->ranges.Reset(info.GetIsolate(), info[1]);
  info.GetReturnValue().Set(true);
}

void Stats(const FunctionCallbackInfo<Value>& info) {
  AddonState* state = StateOf(info);
  Isolate* isolate = info.GetIsolate();
  state->Drain();
  double live_strings, live_bytes, created;
  state->Stats(&live_strings, &live_bytes, &created);
  Local<Context> context = isolate->GetCurrentContext();
  Local<Object> out = Object::New(isolate);
  auto set = [&](const char* key, double value) {
    out->Set(context, String::NewFromUtf8(isolate, key).ToLocalChecked(),
             Number::New(isolate, value))
        .Check();
  };
  set("liveStrings", live_strings);
  set("liveBytes", live_bytes);
  set("created", created);
  info.GetReturnValue().Set(out);
}

void SetMethod(Local<Context> context, Local<Object> exports, Local<External> data,
               const char* name, v8::FunctionCallback callback, bool pure) {
  Isolate* isolate = context->GetIsolate();
  Local<FunctionTemplate> tpl = FunctionTemplate::New(
      isolate, callback, data, Local<v8::Signature>(), 0, v8::ConstructorBehavior::kThrow,
      pure ? v8::SideEffectType::kHasNoSideEffect : v8::SideEffectType::kHasSideEffect);
  Local<String> key = String::NewFromUtf8(isolate, name).ToLocalChecked();
  tpl->SetClassName(key);
  exports->Set(context, key, tpl->GetFunction(context).ToLocalChecked()).Check();
}

}  // namespace sluice

NODE_MODULE_INIT(/* exports, module, context */) {
  using namespace sluice;
  Isolate* isolate = context->GetIsolate();
  auto* state = new AddonState(isolate);
  OurVtables();
  node::AddEnvironmentCleanupHook(isolate, AddonState::Cleanup, state);
  Local<External> data = External::New(isolate, state);
  SetMethod(context, exports, data, "taint", Taint, false);
  SetMethod(context, exports, data, "getRanges", GetRanges, true);
  SetMethod(context, exports, data, "isTainted", IsTainted, true);
  SetMethod(context, exports, data, "setRanges", SetRanges, false);
  SetMethod(context, exports, data, "stats", Stats, true);
  Local<v8::ArrayBuffer> live = v8::ArrayBuffer::New(isolate, state->live_view());
  exports
      ->Set(context, String::NewFromUtf8(isolate, "live").ToLocalChecked(),
            v8::Int32Array::New(live, 0, 1))
      .Check();
}
