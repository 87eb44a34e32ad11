/**
 * Text of the kinds a prompt holds, written for these tests, to measure the character estimate
 * against a real tokenizer. Each kind is a list of samples; each sample is measured on its own.
 * The generated kinds (base64, long runs) are built by `generatedSamples`, seeded so runs repeat.
 */

/** Natural prose, code and data: the samples of each kind. */
export const WRITTEN_SAMPLES: Readonly<Record<string, readonly string[]>> = {
  english: [
    `The rate limits of an account are counted in two ways at once: requests per minute and tokens per minute. A request that fits the first may still break the second, because the server counts the prompt and the largest answer the request allows before it does any work. That is why a short question with a generous max_tokens can be refused while a long one with a small maximum goes through.`,
    `Dear Ms. Whitfield,\n\nThank you for your letter of the 14th. I have looked into the delay with our shipping department, and it seems the parcel was held at the border for an inspection that nobody told us about. It left the warehouse again yesterday morning; you should receive it by Thursday. Please accept our apologies, and let me know if anything arrives damaged.\n\nKind regards,\nDaniel Okafor`,
    `She had not expected the lighthouse to be so small. From the ferry it had looked like a tower, white and solemn against the cliffs, but up close it was hardly taller than the chapel in her village, and the paint was peeling in long grey strips. The keeper, an old man with a cough, showed her the lamp and the ledger where every passing ship had been written down for sixty years.`,
    `Summarize the following customer review in two sentences, then list any product defects it mentions as a bulleted list. If the review does not mention a defect, say "no defects reported". Keep the tone neutral and do not speculate about causes that the customer does not state.`,
    `Photosynthesis converts light energy into chemical energy stored in glucose. In the light-dependent reactions, water molecules are split, releasing oxygen and producing ATP and NADPH. These carriers then power the Calvin cycle, where carbon dioxide is fixed into three-carbon sugars that the plant assembles into larger carbohydrates.`,
    `Q: Why does my script get a 429 error even though I only send one request every few seconds?\nA: Check which limit the message names. If it says "tokens per min", your requests are large: each one reserves its prompt plus max_tokens. If it says "insufficient_quota", waiting will not help; your account has no credit left, and you need to add a payment method.`,
    `The committee met on Tuesday to review the quarterly budget. Revenue was slightly above forecast, mostly thanks to the new subscription plan, but travel and hosting costs grew faster than expected. The chair proposed a freeze on new hires until March, which passed with two abstentions. The next meeting will discuss the vendor contracts that expire in the spring.`,
    `I've been trying to get the build working on my laptop for two days now and I'm honestly out of ideas. It compiles fine on the CI machine, but locally the linker can't find half the symbols, and the error messages don't tell me which library is missing. Has anyone else run into this after the last update? I'm on macOS with the latest command line tools.`,
  ],
  code: [
    `export async function fetchWithRetry(url: string, attempts = 3): Promise<Response> {
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    try {
      const response = await fetch(url, { headers: { accept: 'application/json' } });
      if (response.status !== 429 && response.status < 500) return response;
      lastError = new Error(\`HTTP \${response.status}\`);
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 2 ** attempt * 250));
  }
  throw lastError;
}`,
    `def merge_intervals(intervals):
    """Merge overlapping [start, end] intervals and return them sorted."""
    if not intervals:
        return []
    intervals = sorted(intervals, key=lambda pair: pair[0])
    merged = [list(intervals[0])]
    for start, end in intervals[1:]:
        if start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


if __name__ == "__main__":
    print(merge_intervals([[1, 3], [2, 6], [8, 10], [15, 18]]))`,
    `SELECT c.customer_id,
       c.full_name,
       COUNT(o.order_id) AS order_count,
       SUM(o.total_cents) / 100.0 AS total_spent
FROM customers AS c
LEFT JOIN orders AS o ON o.customer_id = c.customer_id
WHERE o.created_at >= DATE '2024-01-01'
GROUP BY c.customer_id, c.full_name
HAVING COUNT(o.order_id) > 3
ORDER BY total_spent DESC
LIMIT 20;`,
    `package main

import (
	"fmt"
	"net/http"
	"time"
)

type Limiter struct {
	tokens   float64
	capacity float64
	rate     float64
	last     time.Time
}

func (l *Limiter) Allow(now time.Time) bool {
	l.tokens += now.Sub(l.last).Seconds() * l.rate
	if l.tokens > l.capacity {
		l.tokens = l.capacity
	}
	l.last = now
	if l.tokens < 1 {
		return false
	}
	l.tokens--
	return true
}

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	http.ListenAndServe(":8080", nil)
}`,
    `#!/usr/bin/env bash
set -euo pipefail
for file in "$@"; do
  if [[ ! -f "$file" ]]; then
    echo "skipping $file: not a regular file" >&2
    continue
  fi
  lines=$(wc -l < "$file")
  printf '%-40s %8d\\n' "$file" "$lines"
done | sort -k2 -n -r | head -n 10`,
    `const styles = {
  container: { display: 'flex', flexDirection: 'column', gap: 12, padding: '16px 24px' },
  title: { fontSize: 20, fontWeight: 600, color: '#1f2937' },
  button: { borderRadius: 6, backgroundColor: '#2563eb', color: 'white', cursor: 'pointer' },
};

function Card({ title, children, onClose }) {
  return (
    <div style={styles.container}>
      <h2 style={styles.title}>{title}</h2>
      {children}
      <button style={styles.button} onClick={onClose}>Close</button>
    </div>
  );
}`,
  ],
  json: [
    `{
  "id": "chatcmpl-9x2Kq7ZPbLr3",
  "object": "chat.completion",
  "created": 1718031234,
  "model": "gpt-4o-mini-2024-07-18",
  "choices": [
    {
      "index": 0,
      "message": { "role": "assistant", "content": "The capital of Australia is Canberra." },
      "finish_reason": "stop"
    }
  ],
  "usage": { "prompt_tokens": 24, "completion_tokens": 9, "total_tokens": 33 }
}`,
    `{"type":"function","function":{"name":"get_weather","description":"Get the current weather for a city","parameters":{"type":"object","properties":{"city":{"type":"string","description":"City name, e.g. Paris"},"unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["city"],"additionalProperties":false},"strict":true}}`,
    `[
  { "sku": "TB-1042", "name": "Travel mug, 350 ml", "price": 18.5, "stock": 214, "tags": ["kitchen", "travel"] },
  { "sku": "TB-1043", "name": "Travel mug, 500 ml", "price": 21.0, "stock": 87, "tags": ["kitchen", "travel"] },
  { "sku": "DK-2210", "name": "Desk lamp with dimmer", "price": 49.99, "stock": 12, "tags": ["office", "lighting"] },
  { "sku": "DK-2211", "name": "Desk lamp, clamp mount", "price": 44.0, "stock": 0, "tags": ["office", "lighting"] },
  { "sku": "GR-0007", "name": "Garden hose, 25 m", "price": 32.75, "stock": 56, "tags": ["garden"] }
]`,
    `{"event":"order.updated","timestamp":"2024-06-11T08:42:17.512Z","data":{"order_id":"ord_7f3a91c2","status":"shipped","carrier":"DHL","tracking_number":"JD014600006281230432","items":[{"sku":"TB-1042","quantity":2},{"sku":"GR-0007","quantity":1}],"shipping_address":{"line1":"12 Rue des Lilas","city":"Lyon","postal_code":"69003","country":"FR"}}}`,
    `{
  "name": "example-service",
  "version": "2.3.1",
  "private": true,
  "scripts": { "start": "node dist/server.js", "build": "tsc -p .", "test": "vitest run" },
  "dependencies": { "express": "^4.19.2", "pino": "^9.1.0", "zod": "^3.23.8" },
  "devDependencies": { "typescript": "^5.4.5", "vitest": "^1.6.0", "@types/express": "^4.17.21" }
}`,
  ],
  markdown: [
    `# Getting started

Install the package and set your key:

\`\`\`sh
npm install example-sdk
export EXAMPLE_API_KEY=...
\`\`\`

Then create a client and make your first call:

\`\`\`ts
import { Client } from 'example-sdk';
const client = new Client();
const reply = await client.ask('Hello!');
\`\`\`

> **Note:** the key is read from the environment; never commit it.`,
    `## Options

| option | type | default | meaning |
|---|---|---|---|
| \`timeout\` | number | \`600000\` | milliseconds before an attempt is abandoned |
| \`maxRetries\` | number | \`2\` | retries after the first attempt |
| \`baseURL\` | string | — | the API's address, for proxies and gateways |
| \`fetch\` | function | global \`fetch\` | the transport |`,
    `### Changelog

- **Fixed** a crash when the server answered with an empty body ([#412](https://example.com/issues/412)).
- **Changed** the default timeout from 10 minutes to 2 minutes.
- **Added** \`client.close()\` to release sockets; see [Closing](#closing).
  - It is safe to call twice.
  - Calls made after it reject with \`ClientClosedError\`.
- Deprecated \`legacyMode\`; it will be removed in *v4*.`,
    `## FAQ

**Why do I see "insufficient_quota" when my dashboard shows credit?**
Credit can take a few minutes to apply after a payment. If it still fails after an hour, check that the key belongs to the project that holds the credit: keys from a different organization see a different balance.

**Can I share limits between processes?**
Yes: pass a \`redis\` client. All processes that use the same Redis share the same buckets.`,
  ],
  chinese: [
    `今天早上我去了图书馆，想找一本关于城市历史的书。管理员告诉我，那本书已经被借走了，下周才会还回来。于是我在阅览室坐了一会儿，翻了几本杂志，然后去附近的咖啡馆写了一篇短文。`,
    `这个接口每分钟最多处理六十个请求，以及每分钟九万个令牌。如果请求太大，服务器会直接拒绝，并返回四二九错误。建议在发送请求之前估算令牌数量，把最大输出长度设得接近实际需要的长度，这样可以减少被限流的次数。`,
    `春节前后，火车站总是人山人海。很多人提前一个月就开始抢票，有的人甚至请假在家守着电脑。虽然现在网上购票方便了很多，但热门线路的车票依然很难买到。不少年轻人选择错峰出行，或者干脆把父母接到城里过年。`,
    `请用三句话总结下面这篇文章的主要观点，并指出作者使用了哪些论据。如果文章中有前后矛盾的地方，请一并说明。回答时不要加入你自己的看法，只根据原文内容作答。`,
    `我们的团队由五名工程师和两名设计师组成。上个季度，我们重写了支付模块，把平均响应时间从八百毫秒降到了两百毫秒左右。下一步计划是完善监控系统，让值班人员能更快地发现和定位问题。`,
    `他在山脚下的小村庄里长大，每天清晨都要走一个小时的山路去上学。冬天的时候，路上结了冰，他常常摔倒，但从来没有迟到过。多年以后，他成了一名医生，又回到了那个村庄，开了一家小诊所。`,
  ],
  japanese: [
    `昨日は朝から雨が降っていたので、一日中家で本を読んでいました。午後になって少し晴れてきたので、近くのスーパーまで買い物に行きました。夕方には友だちから電話があり、来週の旅行の予定について話し合いました。`,
    `このAPIでは、一分あたりのリクエスト数とトークン数の両方に上限があります。上限を超えると、サーバーは429エラーを返します。リクエストを送る前にトークン数を見積もり、最大出力トークン数を必要な分だけに設定することをおすすめします。`,
    `京都には千年以上の歴史を持つ寺や神社がたくさんあります。特に秋の紅葉の季節には、国内外から多くの観光客が訪れます。混雑を避けたい場合は、朝早い時間に出かけるか、あまり知られていない小さなお寺を回るとよいでしょう。`,
    `次の文章を読んで、筆者がいちばん伝えたいことを二十字以内でまとめてください。また、その理由を文章中の言葉を使って説明してください。答えはです・ます調で書いてください。`,
    `新しいプロジェクトでは、フロントエンドにReactを、バックエンドにGoを使う予定です。チームのメンバーはまだGoに慣れていないので、最初の二週間は勉強会を開いて、基本的な書き方やテストの方法を共有することにしました。`,
    `ねこはまどのそばでひなたぼっこをしていた。ときどきしっぽをゆらしながら、そとをとぶとりをじっとみている。わたしがなまえをよぶと、めんどうくさそうにこちらをふりかえった。`,
  ],
  korean: [
    `어제는 하루 종일 비가 와서 집에서 책을 읽었습니다. 오후에 잠깐 비가 그쳐서 근처 마트에 장을 보러 갔습니다. 저녁에는 친구에게서 전화가 와서 다음 주 여행 계획에 대해 이야기했습니다.`,
    `이 API는 분당 요청 수와 분당 토큰 수에 모두 제한이 있습니다. 제한을 넘으면 서버가 429 오류를 돌려줍니다. 요청을 보내기 전에 토큰 수를 추정하고, 최대 출력 토큰 수를 실제로 필요한 만큼만 설정하는 것이 좋습니다.`,
    `서울의 지하철은 노선이 많고 배차 간격이 짧아서 편리합니다. 하지만 출퇴근 시간에는 사람이 너무 많아서 타기 힘들 때도 있습니다. 그래서 요즘은 자전거를 타고 출근하는 사람들도 점점 늘어나고 있습니다.`,
    `다음 글을 읽고 글쓴이가 가장 하고 싶은 말이 무엇인지 한 문장으로 정리하세요. 그리고 그렇게 생각한 이유를 본문의 표현을 사용해서 설명하세요.`,
    `우리 팀은 지난 분기에 결제 시스템을 새로 만들었습니다. 평균 응답 시간이 팔백 밀리초에서 이백 밀리초 정도로 줄었고, 장애 건수도 절반 이하로 떨어졌습니다. 다음 목표는 모니터링을 개선해서 문제를 더 빨리 찾는 것입니다.`,
  ],
  cyrillic: [
    `Вчера весь день шёл дождь, поэтому я сидел дома и читал книгу. Ближе к вечеру дождь закончился, и я вышел прогуляться в парк. Там почти никого не было, только несколько собачников и пожилая пара на скамейке у пруда.`,
    `У этого API есть ограничения по числу запросов и по числу токенов в минуту. Если лимит превышен, сервер возвращает ошибку 429. Перед отправкой запроса стоит оценить количество токенов и задать максимальную длину ответа не больше, чем действительно нужно.`,
    `Кратко перескажите следующий текст в трёх предложениях и перечислите аргументы, которые использует автор. Если в тексте есть противоречия, укажите их. Не добавляйте собственного мнения.`,
    `Наша команда состоит из пяти разработчиков и двух дизайнеров. В прошлом квартале мы переписали модуль платежей и сократили среднее время ответа с восьмисот до двухсот миллисекунд. Следующая задача — улучшить мониторинг, чтобы дежурные быстрее находили причины сбоев.`,
    `Вона виросла в маленькому селі біля річки. Щоранку вона ходила до школи через ліс, а взимку, коли випадав глибокий сніг, батько возив її на санях. Через багато років вона стала лікаркою і повернулася додому, щоб відкрити невелику амбулаторію.`,
  ],
  arabic: [
    `ذهبت صباح أمس إلى المكتبة العامة لأبحث عن كتاب عن تاريخ المدينة. أخبرتني الموظفة أن الكتاب مستعار وسيعود الأسبوع القادم، فجلست في قاعة المطالعة أقرأ بعض المجلات، ثم ذهبت إلى مقهى قريب وكتبت مقالة قصيرة.`,
    `لهذه الواجهة البرمجية حدود لعدد الطلبات وعدد الرموز في الدقيقة. إذا تجاوزت الحد، يعيد الخادم الخطأ 429. من الأفضل تقدير عدد الرموز قبل إرسال الطلب، وتحديد الحد الأقصى للإخراج بما يكفي فقط.`,
    `لخص النص التالي في ثلاث جمل، ثم اذكر الحجج التي استخدمها الكاتب. إذا وجدت تناقضا في النص فاذكره أيضا، ولا تضف رأيك الشخصي.`,
    `يتكون فريقنا من خمسة مهندسين ومصممين اثنين. في الربع الماضي أعدنا كتابة نظام الدفع، فانخفض متوسط زمن الاستجابة من ثمانمائة إلى نحو مائتي جزء من الثانية. خطوتنا التالية هي تحسين المراقبة حتى نكتشف المشكلات بسرعة أكبر.`,
    `نشأ في قرية صغيرة عند سفح الجبل، وكان يمشي كل صباح ساعة كاملة ليصل إلى المدرسة. وبعد سنوات طويلة أصبح طبيبا، ثم عاد إلى قريته وافتتح فيها عيادة صغيرة.`,
  ],
  'other scripts': [
    `Χθες έβρεχε όλη μέρα, γι' αυτό έμεινα στο σπίτι και διάβασα ένα βιβλίο. Το απόγευμα ο καιρός καθάρισε και βγήκα για έναν περίπατο στο πάρκο. Εκεί συνάντησα έναν παλιό φίλο από το σχολείο.`,
    `कल पूरे दिन बारिश होती रही, इसलिए मैं घर पर बैठकर किताब पढ़ता रहा। शाम को बारिश रुकी तो मैं पार्क में टहलने गया। वहाँ मुझे स्कूल का एक पुराना दोस्त मिला और हमने काफ़ी देर तक बातें कीं।`,
    `אתמול ירד גשם כל היום, אז נשארתי בבית וקראתי ספר. אחר הצהריים מזג האוויר התבהר ויצאתי לטייל בפארק. שם פגשתי חבר ותיק מבית הספר.`,
    `เมื่อวานฝนตกทั้งวัน ฉันจึงอยู่บ้านอ่านหนังสือ ตอนเย็นฝนหยุดตก ฉันเลยออกไปเดินเล่นที่สวนสาธารณะ และได้พบเพื่อนเก่าสมัยเรียน`,
    `এই পরিষেবাটি প্রতি মিনিটে অনুরোধ এবং টোকেনের সংখ্যা সীমিত করে। সীমা অতিক্রম করলে সার্ভার একটি ত্রুটি ফেরত দেয়, তাই অনুরোধ পাঠানোর আগে টোকেনের সংখ্যা অনুমান করা ভালো।`,
    `இந்த சேவை ஒரு நிமிடத்திற்கு அனுப்பக்கூடிய கோரிக்கைகளின் எண்ணிக்கையைக் கட்டுப்படுத்துகிறது. வரம்பை மீறினால் சேவையகம் பிழையைத் திருப்பி அனுப்பும்.`,
  ],
  'latin diacritics': [
    `Hier, il a plu toute la journée, alors je suis resté à la maison pour lire. En fin d'après-midi, le ciel s'est dégagé et je suis allé me promener au parc, où j'ai croisé une ancienne collègue qui venait d'emménager dans le quartier.`,
    `Gestern hat es den ganzen Tag geregnet, deshalb bin ich zu Hause geblieben und habe gelesen. Am späten Nachmittag hörte der Regen auf, und ich bin durch den Park spazieren gegangen. Dort traf ich einen alten Schulfreund, den ich seit Jahren nicht gesehen hatte.`,
    `Ayer llovió todo el día, así que me quedé en casa leyendo. Por la tarde salió el sol y fui a dar un paseo por el parque, donde me encontré con un antiguo compañero de clase que ahora trabaja en un hospital.`,
    `Hôm qua trời mưa cả ngày nên tôi ở nhà đọc sách. Đến chiều, trời tạnh và tôi ra công viên đi dạo. Ở đó tôi gặp lại một người bạn cũ thời đi học.`,
    `Wczoraj przez cały dzień padał deszcz, więc zostałem w domu i czytałem książkę. Wieczorem przestało padać i poszedłem na spacer do parku, gdzie spotkałem starego kolegę ze szkoły.`,
    `Dün bütün gün yağmur yağdı, bu yüzden evde kalıp kitap okudum. Akşamüstü hava açılınca parka yürüyüşe çıktım ve orada eski bir okul arkadaşımla karşılaştım.`,
  ],
  emoji: [
    `Happy birthday!! 🎉🎂🥳 Hope your day is amazing ❤️❤️ See you tonight 😘`,
    `😂😂😂 I can't believe you did that 🙈🙈 omg`,
    `Trip recap 🏖️☀️🌊🍹 best week ever 👍👍 next year: 🇯🇵🗻🍣🍜`,
    `🔥🔥🔥🚀🚀💯💯✨✨🙌🙌👏👏🎯`,
    `Family photo 👨‍👩‍👧‍👦 with the dog 🐶 and the cat 🐱 — everyone smiling 😊😊 (except the cat 😾)`,
    `Status: ✅ build ✅ tests ❌ deploy ⚠️ lint 🕐 waiting for review 👀`,
    `🌸🌸 春が来た 🌸🌸 今日はお花見 🍡🍶 楽しかった 😊`,
  ],
};

/** A small seeded generator (mulberry32), so that generated samples repeat from run to run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function randomBytes(random: () => number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let index = 0; index < length; index += 1) bytes[index] = Math.floor(random() * 256);
  return bytes;
}

const COMMON_HAN =
  '的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处';

/** Base64 and long runs without spaces, each at a few lengths. */
export function generatedSamples(): Readonly<Record<string, readonly string[]>> {
  const random = seeded(20_260_101);
  const base64: string[] = [];
  for (const length of [60, 300, 1_500, 6_000, 24_000])
    base64.push(Buffer.from(randomBytes(random, length)).toString('base64'));
  const pick = (alphabet: string, length: number): string => {
    let text = '';
    for (let index = 0; index < length; index += 1) text += alphabet[Math.floor(random() * alphabet.length)];
    return text;
  };
  const runs: string[] = [];
  for (const length of [1_000, 8_000]) {
    runs.push('a'.repeat(length));
    runs.push(pick(COMMON_HAN, length));
    runs.push(pick('0123456789', length));
    runs.push(pick('0123456789abcdef', length));
    runs.push(pick('abcdefghijklmnopqrstuvwxyz', length));
    runs.push('ab'.repeat(length / 2));
    runs.push('你好'.repeat(length / 2));
    runs.push(' '.repeat(length));
    runs.push('\n'.repeat(length));
    runs.push('='.repeat(length));
  }
  runs.push(
    `https://example.com/search?q=${pick('abcdefghijklmnopqrstuvwxyz0123456789', 400)}&session=${pick('0123456789abcdef', 64)}`,
  );
  return { base64, 'long runs': runs };
}
