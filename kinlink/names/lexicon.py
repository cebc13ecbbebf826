"""Usual Latin spellings of common Persian and Arabic names and places, for romanisation.

Script has no short vowels, so محمد cannot be read letter by letter; for common names we
keep the usual Latin spelling (the one most often seen in Iranian passports and UNHCR
rosters). Rare names fall back to letter-by-letter romanisation. Each line is a name in
Persian script and its Latin spelling; Arabic spellings (حسين, فاطمة, مصطفى) reach the same
entry through normalize(). Names only, no people.
"""

from __future__ import annotations

from .normalize import normalize

__all__ = ["LEXICON", "lookup"]

_DATA = """
محمد mohammad
احمد ahmad
محمود mahmoud
علی ali
حسین hossein
حسن hassan
رضا reza
مهدی mehdi
مصطفی mostafa
مرتضی morteza
مجتبی mojtaba
جواد javad
جعفر jafar
صادق sadegh
کاظم kazem
باقر bagher
تقی taghi
نقی naghi
هادی hadi
سعید saeed
امید omid
امیر amir
امین amin
حمید hamid
حامد hamed
مجید majid
وحید vahid
نوید navid
ناصر naser
نادر nader
منصور mansour
مسعود masoud
داوود davoud
داود davoud
یوسف yousef
ابراهیم ebrahim
اسماعیل esmaeil
اسمعیل esmaeil
موسی mousa
عیسی isa
یحیی yahya
یعقوب yaghoub
ایوب ayoub
سلیمان soleiman
عباس abbas
اکبر akbar
اصغر asghar
کریم karim
رحیم rahim
رحمان rahman
رحمن rahman
جلال jalal
جمال jamal
کمال kamal
خلیل khalil
اسد asad
ستار sattar
عثمان osman
عمر omar
یاسر yaser
صالح saleh
سجاد sajjad
محسن mohsen
میثم meysam
حبیب habib
رسول rasoul
قاسم ghasem
غلام gholam
قلی gholi
ابوالفضل abolfazl
ابوالقاسم abolghasem
عبدالله abdollah
نصرالله nasrollah
روحالله rouhollah
فضلالله fazlollah
اسدالله asadollah
حبیبالله habibollah
رحمتالله rahmatollah
هدایتالله hedayatollah
ذبیحالله zabihollah
سید seyed
سیده seyedeh
فرهاد farhad
فرزاد farzad
فرشید farshid
فرید farid
بهرام bahram
بهمن bahman
بیژن bijan
کوروش kourosh
داریوش dariush
سیاوش siavash
پرویز parviz
فریدون fereydoun
منوچهر manouchehr
خسرو khosrow
شاهرخ shahrokh
ایرج iraj
کامران kamran
کاوه kaveh
آرش arash
بابک babak
مهران mehran
مهرداد mehrdad
پیمان peyman
پژمان pejman
سامان saman
شهرام shahram
شاهین shahin
رامین ramin
هوشنگ houshang
جمشید jamshid
فاطمه fatemeh
زهرا zahra
مریم maryam
زینب zeinab
معصومه masoumeh
فرشته fereshteh
یگانه yeganeh
پروین parvin
لیلا leila
لیلی leili
سارا sara
نرگس narges
مینا mina
شیرین shirin
پری pari
پریسا parisa
نسرین nasrin
سمیرا samira
سمیه somayeh
اعظم azam
اشرف ashraf
طاهره tahereh
فرح farah
فریبا fariba
مهین mahin
منیژه manijeh
ژاله jaleh
ژیلا jila
الهام elham
الناز elnaz
آزاده azadeh
آذر azar
سکینه sakineh
خدیجه khadijeh
رقیه roghayeh
کبری kobra
صغری soghra
طیبه tayebeh
نازنین nazanin
نسیم nasim
مهسا mahsa
مهناز mahnaz
شهلا shahla
سیمین simin
فرزانه farzaneh
فایزه faezeh
راضیه razieh
منیره monireh
عاطفه atefeh
هاجر hajar
ملیحه malihe
فهیمه fahimeh
حمیده hamideh
سهیلا soheila
ثریا soraya
شهناز shahnaz
ناهید nahid
پروانه parvaneh
مهری mehri
هدی hoda
مهدیه mahdieh
نرگس narges
فرناز farnaz
شبنم shabnam
سحر sahar
ساناز sanaz
مرجان marjan
بهاره bahareh
نیلوفر niloufar
ستاره setareh
آرزو arezou
سمانه samaneh
ریحانه reyhaneh
کیمیا kimia
حدیث hadis
حسام hesam
احسان ehsan
اسلام eslam
عارف aref
عادل adel
عابد abed
سینا sina
بهزاد behzad
بهنام behnam
پویا pouya
کیان kian
آرمان arman
سهراب sohrab
رستم rostam
اردشیر ardeshir
شهریار shahriar
اسفندیار esfandiar
سلطان soltan
گل gol
اکرم akram
بتول batoul
صدیقه sedigheh
زهره zohreh
مژگان mojgan
رویا roya
نگین negin
یاسمن yasaman
سپیده sepideh
موسوی mousavi
حسینی hosseini
رضایی rezaei
محمدی mohammadi
احمدی ahmadi
کریمی karimi
رحیمی rahimi
جعفری jafari
کاظمی kazemi
صادقی sadeghi
هاشمی hashemi
طاهری taheri
قاسمی ghasemi
عباسی abbasi
نوری nouri
رستمی rostami
ابراهیمی ebrahimi
اکبری akbari
امینی amini
حیدری heydari
سلیمانی soleimani
یوسفی yousefi
زارعی zarei
عزیزی azizi
شریفی sharifi
مرادی moradi
نجفی najafi
کرمی karami
زاده zadeh
پور pour
نیا nia
نژاد nejad
تهران tehran
شیراز shiraz
اصفهان esfahan
تبریز tabriz
مشهد mashhad
اهواز ahvaz
کرمانشاه kermanshah
رشت rasht
قم ghom
کرج karaj
همدان hamedan
خرمشهر khorramshahr
آبادان abadan
دزفول dezful
یزد yazd
کرمان kerman
سنندج sanandaj
ارومیه orumiyeh
زاهدان zahedan
قزوین ghazvin
اراک arak
ایلام ilam
بغداد baghdad
بصره basra
دیالی diyala
اشرف ashraf
لیبرتی liberty
"""


def _parse(data: str) -> dict[str, str]:
    table: dict[str, str] = {}
    for line in data.strip().splitlines():
        script, latin = line.split()
        table.setdefault(normalize(script), latin)
    return table


LEXICON: dict[str, str] = _parse(_DATA)


def lookup(token: str) -> str | None:
    """Return the usual Latin spelling of a normalised Perso-Arabic token, or None."""
    return LEXICON.get(token)
