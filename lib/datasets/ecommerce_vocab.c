/*
 * ecommerce_vocab.c - countries, names and the product catalogue's words
 * (see ecommerce_vocab.h). Names are common given names and surnames of
 * each country as written in Latin script, listed from memory for this
 * project, most frequent first (the generator weights them by rank, Zipf
 * fashion); no list was copied from another project.
 */
#include "ecommerce_vocab.h"

#include <string.h>

/* clang-format off */
const ec_country ec_countries[] = {
    {"US", 1119, NAME_INITIAL,
     "Olivia Emma Charlotte Amelia Sophia Mia Isabella Ava Evelyn Harper Emily Abigail Elizabeth Sofia "
     "Madison Avery Ella Scarlett Grace Chloe Victoria Riley Aria Lily Aubrey Zoey Penelope Layla Nora "
     "Hannah Addison Ellie Stella Natalie Leah Hazel Violet Aurora Savannah Audrey Brooklyn Bella Claire "
     "Skylar Lucy Paisley Anna Caroline Nova Genesis Emilia Kennedy Samantha Maya Willow Kinsley Naomi "
     "Aaliyah Elena Sarah Ariana Allison Gabriella Alice Madelyn Cora Ruby Eva Serenity Autumn Adeline "
     "Jennifer Jessica Ashley Amanda Stephanie Melissa Nicole Rebecca Laura Michelle Kimberly Mary "
     "Patricia Linda Barbara Susan Karen Nancy Lisa Betty Sandra Donna Carol Sharon Deborah Rachel",
     "Liam Noah Oliver Elijah James William Benjamin Lucas Henry Theodore Jack Levi Alexander Jackson "
     "Mateo Daniel Michael Mason Sebastian Ethan Logan Owen Samuel Jacob Asher Aiden John Joseph Wyatt "
     "David Leo Luke Julian Hudson Grayson Matthew Ezra Gabriel Carter Isaac Jayden Luca Anthony Dylan "
     "Lincoln Thomas Maverick Elias Josiah Charles Caleb Christopher Ezekiel Miles Jaxon Isaiah Andrew "
     "Joshua Nathan Nolan Adrian Cameron Santiago Eli Aaron Ryan Angel Cooper Waylon Easton Kai Christian "
     "Robert Richard Kevin Brian George Edward Ronald Timothy Jason Jeffrey Gary Eric Stephen Larry "
     "Justin Scott Brandon Gregory Frank Raymond Patrick Jerry Dennis Tyler Aaron Jose Adam Kyle",
     "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez "
     "Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark "
     "Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams "
     "Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker "
     "Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper "
     "Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James "
     "Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster "
     "Jimenez Powell Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson Barnes Gonzales Fisher "
     "Vasquez Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds Griffin Wallace Moreno "
     "West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall "
     "Owens Harrison Fernandez McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb "
     "Tucker Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason "
     "Dixon Munoz Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren",
     {{-300, 47}, {-360, 29}, {-420, 7}, {-480, 17}}},
    {"GB", 195, NAME_INITIAL,
     "Olivia Amelia Isla Ava Ivy Freya Lily Florence Mia Willow Rosie Sophia Isabella Grace Daisy "
     "Sienna Poppy Elsie Emily Ella Evelyn Phoebe Sofia Evie Charlotte Harper Matilda Sophie Alice "
     "Emilia Ruby Isabelle Jessica Erin Hannah Lucy Millie Eva Chloe Holly Imogen Georgia Megan Katie "
     "Amy Lauren Rebecca Laura Claire Sarah Emma Helen Nicola Joanne Victoria Rachel Karen Susan "
     "Elizabeth Margaret Jane Fiona Gemma Hayley Abigail Bethany Eleanor Harriet",
     "Noah Muhammad Oliver George Leo Arthur Oscar Harry Archie Jack Henry Charlie Freddie Theodore "
     "Thomas Finley Theo Alfie Jacob William Isaac Tommy Lucas Teddy Edward James Joshua Alexander "
     "Max Reuben Albie Hugo Harrison Louie Ethan Joseph Samuel Daniel Adam Benjamin Ryan Liam Callum "
     "Connor Kieran Jamie Lewis Luke Matthew Andrew David Paul Mark Richard Stephen Christopher "
     "Michael Simon Peter Ian Gareth Craig Darren Stuart Neil Rhys Owen Dylan Ewan Fraser",
     "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson Thompson "
     "Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson Wood Turner Martin "
     "Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan Allen James Scott Phillips "
     "Watson Davis Parker Price Bennett Young Griffiths Mitchell Kelly Cook Carter Richardson Bailey "
     "Collins Bell Shaw Murphy Miller Cox Richards Khan Marshall Anderson Simpson Ellis Adams Singh "
     "Begum Wilkinson Foster Chapman Powell Webb Rogers Gray Mason Ali Hunt Hussain Campbell Matthews "
     "Owen Palmer Holmes Mills Barnes Knight Lloyd Butler Russell Barker Fisher Stevens Jenkins Murray "
     "Dixon Harvey Graham Pearson Ahmed Fletcher Walsh Kaur Gibson Howard Andrews Stewart Elliott "
     "Reynolds Saunders Payne Fox Ford Pearce Day Brooks West Lawrence Cole Atkinson Bradley Spencer "
     "Gill Dawson Ball Burton O'Brien Watts Rose Booth Perry Ryan Grant Wells Armstrong Francis Rees "
     "Hayes Hart Hudson Newman Barrett Webster Hunter Gregory Carr Lowe Page Marsh Riley Dunn Woods "
     "Parsons Berry Stone Reid Holland Hawkins Harding Porter Robertson Newton Oliver Reed Kennedy "
     "Williamson Bird Gardner Shah Dean Lane Cooke Bates Henderson Parry Burgess Bishop Walton Burns "
     "Nicholson Shepherd Ross Cross Long Freeman Warren Nicholls Hamilton Byrne Sutton McDonald Yates "
     "Hodgson Robson Curtis Hopkins O'Connor Harper Coleman Watkins Moss McCarthy Chambers O'Neill",
     {{0, 100}}},
    {"JP", 193, NAME_PLAIN,
     "Himari Mei Yui Rin Aoi Tsumugi Hina Yuna Sakura Ema Mio Kanna Riko Akari Koharu Hana Yuzuki "
     "Saki Honoka Miyu Sana Yuka Ayaka Misaki Nanami Haruka Natsuki Mai Momoka Aya Nana Kaho Rina "
     "Airi Kokona Mana Noa Ichika Emi Yoko Keiko Yuko Tomoko Naoko Akiko Kyoko Junko Kazuko Megumi "
     "Kumiko Mayumi Chiaki Eri Asuka Shiori Kaori Nozomi Ayumi Sayaka",
     "Haruto Minato Sota Yuto Riku Aoi Hinata Yamato Ren Haru Sora Itsuki Asahi Kaito Yuma Takumi Hayato "
     "Daiki Kota Sosuke Ryota Yuki Kenta Shota Shun Kazuki Yusuke Daisuke Takuya Naoki Tatsuya Kenji "
     "Hiroshi Takashi Makoto Satoshi Kazuya Akira Koji Masato Tomoya Ryo Kei Shin Yuji Hideki Yoshiro "
     "Tetsuya Masahiro Katsuya Shinji Hiroki Ryusei Kosuke Taiga Koki",
     "Sato Suzuki Takahashi Tanaka Watanabe Ito Yamamoto Nakamura Kobayashi Kato Yoshida Yamada Sasaki "
     "Yamaguchi Matsumoto Inoue Kimura Hayashi Shimizu Yamazaki Mori Abe Ikeda Hashimoto Yamashita "
     "Ishikawa Nakajima Maeda Fujita Ogawa Goto Okada Hasegawa Murakami Kondo Ishii Saito Sakamoto Endo "
     "Aoki Fujii Nishimura Fukuda Ota Miura Fujiwara Okamoto Matsuda Nakagawa Nakano Harada Ono Tamura "
     "Takeuchi Kaneko Wada Nakayama Ishida Ueda Morita Hara Shibata Sakai Kudo Yokoyama Miyazaki "
     "Miyamoto Uchida Takagi Ando Taniguchi Ohno Maruyama Imai Takada Fujimoto Takeda Murata Ueno "
     "Sugiyama Masuda Sugawara Hirano Kojima Otsuka Chiba Kubo Matsui Iwasaki Sakurai Kinoshita Noguchi "
     "Matsuo Nomura Kikuchi Sano Onishi Sugimoto Arai",
     {{540, 100}}},
    {"KR", 147, NAME_PLAIN,
     "Seo-yeon Ji-woo Seo-yun Ha-eun Min-seo Ha-yoon Ji-yoo Yoon-seo Chae-won Ji-min Su-ah Ji-a "
     "Da-eun Eun-seo Ye-eun Soo-bin Ye-jin Hye-jin Min-ji Ji-hye Eun-ji Su-jin Ji-young Hyun-joo "
     "Mi-kyung Eun-young Jung-eun Sun-young Hae-won Na-yeon So-yeon Ga-eun Yu-na Seo-hyun Bo-ra",
     "Min-jun Seo-jun Do-yun Ye-jun Si-woo Ha-jun Ju-won Ji-ho Ji-hoon Jun-seo Gun-woo Hyun-woo Woo-jin "
     "Sung-min Dong-hyun Jae-won Min-ho Tae-yang Jin-woo Sang-hoon Young-ho Jung-ho Seung-hyun Kyung-soo "
     "Dong-wook Jae-hyun Sung-ho Hyun-jun Joon-young Tae-hoon Byung-chul Chang-min Ho-jin Ki-tae Yong-jun",
     "Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim Han Oh Seo Shin Kwon Hwang Ahn Song Jeon Hong Yoo "
     "Ko Moon Yang Son Bae Baek Heo Nam Sim Noh Ha Kwak Sung Cha Joo Woo Koo Min Ryu Na Jin Ji Eom Chae "
     "Won Chun Bang Gong Hyun",
     {{540, 100}}},
    {"IN", 118, NAME_PLAIN,
     "Aadhya Ananya Diya Saanvi Pari Anika Navya Angel Myra Sara Ira Aarohi Kiara Riya Prisha Anvi "
     "Ishita Avni Kavya Tanvi Priya Pooja Neha Sneha Divya Shreya Anjali Nisha Swati Kavita Sunita "
     "Anita Meena Lakshmi Deepika Aishwarya Pallavi Rashmi Shweta Nandini Asha Rekha Geeta Jyoti "
     "Sakshi Simran Harpreet Fatima Ayesha Zara",
     "Aarav Vivaan Aditya Vihaan Arjun Sai Reyansh Ayaan Krishna Ishaan Shaurya Atharv Advik Pranav "
     "Advaith Aryan Dhruv Kabir Ritvik Aarush Rahul Rohit Amit Vikas Suresh Ramesh Rajesh Sanjay Anil "
     "Sunil Vijay Manoj Ajay Deepak Arun Ravi Ashok Prakash Nitin Vikram Karan Rohan Siddharth Abhishek "
     "Gaurav Harish Naveen Mohammed Imran Gurpreet Venkatesh Srinivas",
     "Sharma Singh Kumar Patel Gupta Verma Reddy Shah Das Rao Nair Yadav Joshi Mehta Iyer Agarwal "
     "Mishra Jain Pillai Chopra Kapoor Malhotra Bhat Menon Desai Chauhan Pandey Tiwari Saxena Banerjee "
     "Chatterjee Mukherjee Ghosh Bose Sen Dutta Naidu Krishnan Subramanian Raman Pawar Kulkarni Patil "
     "Jadhav Shinde Thakur Rathore Sinha Mahajan Bhatia Arora Khanna Sethi Gill Sandhu Khan Ansari "
     "Qureshi Sheikh Hegde Shetty Kamath Prasad Chandra Varma Goswami Trivedi Dubey",
     {{330, 100}}},
    {"DE", 97, NAME_PLAIN,
     "Emilia Emma Hannah Mia Sofia Lina Mila Ella Clara Lea Marie Leni Anna Luisa Mathilda Lia Frieda "
     "Lena Johanna Ida Laura Sophie Lara Julia Sarah Lisa Katharina Maria Nele Charlotte Amelie Paula "
     "Jana Melanie Sabine Petra Andrea Claudia Stefanie Nicole Susanne Monika Ursula Heike Birgit "
     "Kerstin Christina Jessica Vanessa Franziska Annika Jasmin Theresa Greta Pia",
     "Noah Matteo Leon Luca Finn Elias Paul Henry Felix Emil Ben Theo Jonas Louis Anton Maximilian "
     "Jakob Lukas Moritz Tim Niklas Jan Tobias Florian Alexander Sebastian Daniel Michael Thomas "
     "Andreas Stefan Christian Markus Martin Peter Frank Jürgen Uwe Klaus Wolfgang Dirk Sven Philipp "
     "Julian Simon David Fabian Dominik Patrick Kevin Marcel Dennis Jens Matthias Benedikt Johannes",
     "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch Bauer "
     "Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann Lange "
     "Schmitt Werner Schmitz Krause Meier Lehmann Schmid Schulze Maier Köhler Herrmann König Walter "
     "Mayer Huber Kaiser Fuchs Peters Lang Scholz Möller Weiß Jung Hahn Schubert Vogel Friedrich Keller "
     "Günther Frank Berger Winkler Roth Beck Lorenz Baumann Franke Albrecht Schuster Simon Ludwig Böhm "
     "Winter Kraus Martin Schumacher Krämer Vogt Stein Jäger Otto Sommer Groß Seidel Heinrich Brandt "
     "Haas Schreiber Graf Schulte Dietrich Ziegler Kuhn Kühn Pohl Engel Horn Busch Bergmann Thomas "
     "Voigt Sauer Arnold Wolff Pfeiffer Yilmaz Kaya Nowak",
     {{60, 100}}},
    {"FR", 80, NAME_PLAIN,
     "Jade Louise Ambre Alba Emma Rose Alice Romy Anna Lina Léna Mia Agathe Iris Julia Juliette Inès "
     "Chloé Léa Manon Camille Sarah Zoé Lucie Clara Eva Margaux Mathilde Pauline Marie Nathalie "
     "Isabelle Sylvie Catherine Sandrine Valérie Christine Céline Aurélie Émilie Julie Caroline Sophie "
     "Stéphanie Virginie Élodie Laetitia Audrey Charlotte Océane Anaïs Maëlys",
     "Gabriel Léo Raphaël Louis Maël Noah Jules Arthur Adam Lucas Hugo Sacha Gabin Nathan Théo Tom "
     "Paul Éthan Liam Aaron Mathis Enzo Clément Baptiste Thomas Antoine Maxime Alexandre Nicolas Julien "
     "Pierre Guillaume Romain Quentin Kevin Florian Sébastien Mathieu Jérôme Stéphane Christophe "
     "Frédéric David Laurent Philippe Éric Olivier Thierry Pascal Patrick Michel Jean Jean-Pierre "
     "François Benoît Cédric Damien Loïc",
     "Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel Lefebvre "
     "Leroy Roux David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine Rousseau Vincent "
     "Muller Lefèvre Faure André Mercier Blanc Guérin Boyer Garnier Chevalier François Legrand Gauthier "
     "Garcia Perrin Robin Clément Morin Nicolas Henry Roussel Mathieu Gautier Masson Marchand Duval "
     "Denis Dumont Marie Lemaire Noël Meyer Dufour Meunier Brun Blanchard Giraud Joly Rivière Lucas "
     "Brunet Gaillard Barbier Arnaud Martinez Gérard Roche Renard Schmitt Roy Leroux Colin Vidal Caron "
     "Picard Roger Fabre Aubert Lemoine Renaud Dumas Lacroix Olivier Philippe Bourgeois Pierre Benoît "
     "Rey Leclerc Payet Rolland Leclercq Guillaume Lecomte Lopez Jean Dupuy Guillot Hubert Berger",
     {{60, 100}}},
    {"CA", 76, NAME_INITIAL,
     "Olivia Emma Charlotte Amelia Ava Sophia Chloé Léa Alice Florence Mia Evelyn Isla Abigail Emily "
     "Ella Hannah Lily Maya Zoé Rosalie Béatrice Juliette Camille Sarah Jessica Jennifer Ashley Megan "
     "Stephanie Amanda Nicole Melissa Julie Marie-Ève Catherine Isabelle Nathalie Sophie Priya Simran",
     "Noah Liam William Benjamin Oliver Lucas Theodore Jack Leo Thomas James Logan Nathan Félix Samuel "
     "Jacob Raphaël Édouard Mathis Ethan Owen Henry Lincoln Alexandre Gabriel Jean-Philippe Maxime "
     "Olivier Mathieu Michael Matthew Ryan Tyler Brandon Justin Kevin Jason Daniel David Gurpreet Arjun",
     "Smith Brown Tremblay Martin Roy Wilson MacDonald Gagnon Johnson Taylor Côté Campbell Anderson "
     "Leblanc Lee Jones White Williams Miller Thompson Gauthier Young Morin Bouchard Scott Stewart "
     "Belanger Reid Pelletier Moore Lavoie King Robinson Lévesque Murphy Fortin Gagné Wong Clark Walker "
     "Ouellet Singh Patel Chen Bergeron Girard Poirier Thibault Mackenzie Fraser Graham Ross Kelly "
     "Robertson Hall Wright Green Baker Cameron Morrison Nguyen Sharma Li Gill Boucher Lapointe Simard "
     "Caron Beaulieu Cloutier Dubé Paquette Hébert Fournier Lalonde",
     {{-300, 62}, {-360, 4}, {-420, 14}, {-480, 20}}},
    {"BR", 45, NAME_SOME_TWO,
     "Helena Alice Laura Maria Valentina Heloísa Maria_Clara Maria_Cecília Maria_Júlia Sophia Lorena "
     "Lívia Manuela Júlia Cecília Beatriz Isabela Luiza Mariana Gabriela Ana Ana_Clara Larissa Letícia "
     "Camila Amanda Bruna Fernanda Juliana Patrícia Aline Vanessa Adriana Márcia Sandra Cristina "
     "Francisca Antônia Raimunda Luana Rafaela Bianca Carolina Débora Tatiane Priscila",
     "Miguel Arthur Gael Heitor Theo Davi Gabriel Bernardo Samuel João_Miguel Pedro Lucas Enzo Rafael "
     "Guilherme Matheus Gustavo Felipe Leonardo João Vinícius Thiago Bruno Rodrigo Eduardo Diego "
     "Marcelo Fernando Carlos José Francisco Antônio Paulo Luiz Marcos André Ricardo Sérgio Fábio "
     "Leandro Daniel Alexandre Roberto Caio Igor Otávio Henrique Murilo",
     "Silva Santos Oliveira Souza Rodrigues Ferreira Alves Pereira Lima Gomes Costa Ribeiro Martins "
     "Carvalho Almeida Lopes Soares Fernandes Vieira Barbosa Rocha Dias Nascimento Andrade Moreira Nunes "
     "Marques Machado Mendes Freitas Cardoso Ramos Gonçalves Santana Teixeira Araújo Correia Cavalcanti "
     "Moura Monteiro Batista Pinto Campos Reis Melo Castro Duarte Farias Azevedo Cunha Fonseca Miranda "
     "Barros Freire Xavier Borges Tavares Medeiros Macedo Sampaio Brito Pires Leite Coelho Guimarães "
     "Peixoto Sousa Morais Aguiar Bezerra Siqueira Queiroz Viana Rezende",
     {{-180, 85}, {-240, 12}, {-300, 3}}},
    {"AU", 38, NAME_INITIAL,
     "Charlotte Olivia Amelia Isla Mia Ava Grace Willow Harper Chloe Matilda Ella Zoe Sienna Evie "
     "Sophie Ruby Isabella Lily Evelyn Hazel Sophia Emily Jessica Sarah Emma Hannah Kate Rebecca Lauren "
     "Amy Michelle Kylie Melissa Natalie Rachel Danielle Bianca Tahlia Jacinta",
     "Oliver Noah Jack Henry Leo William Thomas Lucas Charlie Theodore Hudson James Luca Archie "
     "Hunter Harrison Ethan Mason Cooper Max Liam Joshua Daniel Matthew Ryan Lachlan Mitchell Nathan "
     "Benjamin Samuel Jayden Kieran Dylan Tristan Angus Hamish Bradley Shane Darren Craig",
     "Smith Jones Williams Brown Wilson Taylor Nguyen Johnson Martin White Anderson Walker Thompson "
     "Thomas Lee Ryan Robinson Kelly King Harris Davis Wright Evans Roberts Green Hall Wood Jackson "
     "Clarke Patel Khan Lewis James Phillips Mitchell Turner Campbell Murphy O'Brien Chen Wang Tran "
     "Singh Edwards Hughes Baker Cooper Morris Scott Young Stewart Moore Clark Allen Hill Watson "
     "Cook Bell Richardson Ward Murray Morgan Johnston Graham Russell Fraser Sullivan Byrne",
     {{600, 58}, {570, 8}, {480, 11}, {600, 23}}},
    {"ES", 37, NAME_TWO_SURNAMES,
     "Lucía Sofía Martina María Julia Paula Valeria Emma Daniela Carla Alba Noa Alma Sara Carmen Vega "
     "Lara Mía Valentina Olivia Claudia Jimena Ana Laura Marta Cristina Elena Isabel Pilar Rosa Teresa "
     "Raquel Beatriz Patricia Silvia Nuria Mercedes Irene Rocío Inmaculada Montserrat Alicia Andrea "
     "Lorena Natalia Miriam",
     "Hugo Martín Lucas Mateo Leo Daniel Alejandro Pablo Manuel Álvaro Adrián David Mario Enzo Diego "
     "Marcos Izan Javier Marco Álex Bruno Oliver Miguel Thiago Antonio Marc Carlos Ángel Juan Gonzalo "
     "Jorge Sergio José Francisco Luis Rafael Fernando Jesús Alberto Raúl Ignacio Iván Rubén Víctor "
     "Óscar Joaquín Ramón Andrés Enrique",
     "García Rodríguez González Fernández López Martínez Sánchez Pérez Gómez Martín Jiménez Hernández "
     "Ruiz Díaz Moreno Muñoz Álvarez Romero Gutiérrez Alonso Navarro Torres Domínguez Ramos Vázquez "
     "Gil Ramírez Serrano Molina Blanco Suárez Castro Ortega Delgado Ortiz Morales Rubio Marín Sanz "
     "Núñez Iglesias Medina Garrido Cortés Castillo Santos Lozano Guerrero Cano Prieto Méndez Cruz "
     "Flores Herrera Gallego Márquez León Peña Calvo Cabrera Vidal Campos Fuentes Vega Carrasco Diez "
     "Reyes Caballero Nieto Aguilar Pascual Herrero Santana Lorenzo Hidalgo Montero Ibáñez Giménez "
     "Ferrer Durán Vicente Benítez Mora Arias Santiago Vargas Carmona Crespo Román Pastor Soto Sáez",
     {{60, 96}, {0, 4}}},
    {"IT", 36, NAME_PLAIN,
     "Sofia Aurora Giulia Ginevra Vittoria Beatrice Alice Ludovica Emma Matilde Anna Camilla Chiara "
     "Giorgia Bianca Nicole Greta Gaia Martina Azzurra Arianna Sara Noemi Isabel Rebecca Francesca "
     "Elena Valentina Federica Silvia Alessandra Paola Laura Roberta Simona Monica Cristina Barbara "
     "Elisa Ilaria Claudia Serena Antonella Maria Rosa Giovanna",
     "Leonardo Francesco Tommaso Edoardo Alessandro Lorenzo Mattia Gabriele Riccardo Andrea Diego "
     "Nicolò Matteo Giuseppe Federico Antonio Enea Samuele Giovanni Pietro Filippo Davide Marco Luca "
     "Simone Stefano Paolo Roberto Massimo Fabio Giorgio Daniele Alberto Emanuele Salvatore Vincenzo "
     "Michele Claudio Franco Mario Sergio Carlo Luigi Enrico Fabrizio Maurizio",
     "Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo Conti De_Luca "
     "Mancini Costa Giordano Rizzo Lombardi Moretti Barbieri Fontana Santoro Mariani Rinaldi Caruso "
     "Ferrara Galli Martini Leone Longo Gentile Martinelli Vitale Lombardo Serra Coppola De_Santis "
     "D'Angelo Marchetti Parisi Villa Conte Ferraro Ferri Fabbri Bianco Marini Grasso Valentini "
     "Messina Sala De_Angelis Gatti Pellegrini Palumbo Sanna Farina Rizzi Monti Cattaneo Morelli "
     "Amato Silvestri Mazza Testa Grassi Pellegrino Carbone Giuliani Benedetti Barone Rossetti Caputo "
     "Montanari Guerra Palmieri Bernardi Martino Fiore De_Rosa Ferretti Bellini Basile Riva Donati",
     {{60, 100}}},
    {"MX", 30, NAME_TWO_SURNAMES,
     "Sofía María_José Valentina Regina Camila Ximena Renata Victoria Isabella Romina Natalia Valeria "
     "Daniela Fernanda Andrea Mariana Guadalupe María Ana Paola Alejandra Gabriela Karla Diana Adriana "
     "Verónica Leticia Rosa Patricia Claudia Yolanda Araceli Brenda Itzel Citlali",
     "Santiago Mateo Sebastián Leonardo Matías Emiliano Diego Daniel Miguel_Ángel Alexander Jesús "
     "José Juan Luis Carlos Jorge Francisco Alejandro Ricardo Fernando Eduardo Roberto Javier Arturo "
     "Héctor Raúl Óscar Sergio Manuel Rafael Iker Rodrigo Gerardo Alfredo Armando Ulises",
     "Hernández García Martínez López González Pérez Rodríguez Sánchez Ramírez Cruz Flores Gómez "
     "Morales Vázquez Reyes Jiménez Torres Díaz Gutiérrez Ruiz Mendoza Aguilar Ortiz Moreno Castillo "
     "Romero Álvarez Méndez Chávez Rivera Juárez Ramos Domínguez Herrera Medina Castro Vargas Guzmán "
     "Velázquez Muñoz Rojas Contreras Salazar Luna Ortega Santiago Guerrero Estrada Bautista Cortés "
     "Soto Alvarado Espinoza Lara Ríos Navarro Cervantes Delgado Ávila Pacheco Vega Campos Sandoval "
     "Carrillo Fuentes Mejía Zúñiga Rosales Cabrera Acosta Solís Márquez Trejo Valdez Ibarra Nava",
     {{-360, 80}, {-420, 12}, {-480, 3}, {-300, 5}}},
    {"NL", 31, NAME_PLAIN,
     "Emma Julia Mila Tess Sophie Zoë Sara Nora Yara Eva Liv Lotte Noor Saar Anna Fenna Lisa Fleur "
     "Sanne Femke Anouk Iris Maud Roos Laura Lieke Esther Marieke Ingrid Annemarie Petra Monique "
     "Mariska Ilse Inge Wendy Linda Manon",
     "Noah Sem Liam Lucas Daan Finn Levi Luuk Mees James Milan Sam Noud Bram Luca Thijs Jesse Lars "
     "Ruben Tim Jeroen Bas Niels Sander Maarten Joost Wouter Pieter Jan Hendrik Dirk Willem Kees Henk "
     "Gerrit Marco Erik Martijn Stijn",
     "de_Jong Jansen de_Vries van_den_Berg van_Dijk Bakker Janssen Visser Smit Meijer de_Boer Mulder "
     "de_Groot Bos Vos Peters Hendriks van_Leeuwen Dekker Brouwer de_Wit Dijkstra Smits de_Graaf "
     "van_der_Meer van_der_Linden Kok Jacobs de_Haan Vermeulen van_den_Heuvel van_der_Veen van_den_Broek "
     "de_Bruijn de_Bruin van_der_Heijden Schouten van_Beek Willems van_Vliet van_de_Ven Hoekstra Maas "
     "Verhoeven Koster van_Dam van_der_Wal Prins Blom Huisman Peeters de_Jonge Kuipers van_Veen Post "
     "Kuiper Veenstra Kramer van_den_Brink Scholten van_Wijk Postma Martens Vink de_Ruiter Timmermans",
     {{60, 100}}},
    {"PL", 26, NAME_PLAIN,
     "Zofia Zuzanna Hanna Julia Maja Laura Oliwia Alicja Pola Lena Aleksandra Natalia Wiktoria Amelia "
     "Anna Maria Katarzyna Małgorzata Agnieszka Barbara Ewa Krystyna Elżbieta Magdalena Joanna Monika "
     "Beata Dorota Justyna Karolina Paulina Marta Agata Iwona Renata",
     "Antoni Jan Aleksander Franciszek Nikodem Jakub Leon Stanisław Szymon Filip Mikołaj Ignacy Wojciech "
     "Adam Kacper Piotr Krzysztof Andrzej Tomasz Paweł Michał Marcin Łukasz Grzegorz Marek Mateusz "
     "Dariusz Rafał Robert Kamil Bartosz Damian Sebastian Maciej Przemysław",
     "Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński Szymański Woźniak "
     "Dąbrowski Kozłowski Jankowski Mazur Wojciechowski Kwiatkowski Krawczyk Kaczmarek Piotrowski "
     "Grabowski Zając Pawłowski Michalski Król Wieczorek Jabłoński Wróbel Nowakowski Majewski Olszewski "
     "Stępień Malinowski Jaworski Adamczyk Dudek Nowicki Pawlak Górski Witkowski Walczak Sikora "
     "Baran Rutkowski Michalak Szewczyk Ostrowski Tomaszewski Pietrzak Zalewski Wróblewski",
     {{60, 100}}},
    {"SE", 17, NAME_PLAIN,
     "Alice Maja Vera Elsa Astrid Ella Alma Wilma Ebba Olivia Selma Saga Freja Agnes Signe Clara Elin "
     "Ida Emma Linnea Anna Eva Maria Karin Kristina Lena Sara Kerstin Ingrid Birgitta Malin Sofia Johanna",
     "Lucas Liam William Elias Noah Hugo Oliver Oscar Adam Matteo Walter Alexander Nils Leo Ludvig "
     "Olle Theo Arvid Axel Filip Erik Lars Karl Anders Johan Per Mikael Magnus Fredrik Daniel Björn "
     "Henrik Jonas Gustav Viktor",
     "Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson Svensson Gustafsson "
     "Pettersson Jonsson Jansson Hansson Bengtsson Jönsson Lindberg Jakobsson Magnusson Olofsson "
     "Lindström Lindqvist Lindgren Berg Axelsson Bergström Lundberg Lind Lundgren Lundqvist Mattsson "
     "Berglund Fredriksson Sandberg Henriksson Forsberg Sjöberg Wallin Engström Eklund Danielsson "
     "Lundin Håkansson Björk Bergman Gunnarsson Holm Wikström Samuelsson Isaksson Fransson",
     {{60, 100}}},
};
/* clang-format on */
const unsigned ec_n_countries = sizeof ec_countries / sizeof ec_countries[0];

/* clang-format off */
const ec_category ec_categories[] = {
    {"Electronics", 14, 79.0, 0.95, {88, 8, 2, 1, 1}, 1.25,
     "Voltrex Nuvion Kestrel Arcadia Lumora Zentek Brightwave Orbitron Caldera Novalink",
     "Wireless Smart Portable Compact Pro Ultra Noise-Cancelling 4K Fast Dual Mini Rechargeable",
     "Earbuds Headphones Speaker Smartwatch Tablet Monitor Keyboard Mouse Webcam Charger Power_Bank "
     "Router SSD Camera Soundbar Projector Fitness_Tracker E-Reader Microphone Drone"},
    {"Books", 16, 13.5, 0.45, {82, 12, 4, 1, 1}, 0.45,
     "Harrowgate Penfold Bluequill Lanternhouse Northreach Inkwell Foxglove Marigold Westbrook Oakleaf",
     "Illustrated Complete Essential Pocket Collected Annotated Revised Hardcover Paperback Deluxe",
     "Novel Cookbook Atlas Field_Guide Biography Memoir Anthology Workbook Handbook Thriller "
     "Picture_Book Poetry_Collection Travel_Guide Dictionary Study_Guide Graphic_Novel"},
    {"Home & Kitchen", 13, 27.0, 0.85, {72, 16, 6, 3, 3}, 0.9,
     "Hearthly Copperleaf Nordhem Casaluna Willowmere Stonebridge Kindred Ashgrove Maplecraft Luxehome",
     "Stainless Ceramic Non-Stick Bamboo Cast-Iron Glass Cotton Linen Adjustable Stackable Airtight",
     "Frying_Pan Saucepan Knife_Set Cutting_Board Mixing_Bowls Coffee_Maker Kettle Toaster Blender "
     "Storage_Jars Bath_Towels Bed_Sheets Throw_Pillow Table_Lamp Wall_Clock Dish_Rack Vacuum_Cleaner"},
    {"Clothing", 12, 26.0, 0.65, {70, 18, 7, 3, 2}, 2.6,
     "Northloom Velvetine Urbanthread Coastline Brindle Marlowe Everpine Halcyon Tidewell Redstone",
     "Classic Slim-Fit Relaxed Organic Merino Linen Denim Waterproof Quilted Striped Cropped",
     "T-Shirt Jeans Hoodie Sweater Dress Jacket Shirt Chinos Skirt Leggings Coat Blazer Shorts "
     "Sneakers Boots Socks Scarf Cap"},
    {"Sports & Outdoors", 9, 34.0, 0.9, {80, 12, 4, 2, 2}, 1.0,
     "Summitra Trailforge Peakline Riverbend Ironpath Altavia Swiftfin Wildcrest Granitex Boreal",
     "Lightweight Insulated Foldable Ergonomic Waterproof Breathable Heavy-Duty Adjustable Ultralight",
     "Yoga_Mat Dumbbells Water_Bottle Tent Sleeping_Bag Backpack Hiking_Poles Bike_Helmet Jump_Rope "
     "Resistance_Bands Running_Shoes Cooler Camping_Stove Tennis_Racket Football Fishing_Rod"},
    {"Beauty & Personal Care", 9, 15.0, 0.6, {66, 20, 8, 3, 3}, 0.55,
     "Lumiere Petalis Aurea Veloura Silkroot Mirabel Dewbloom Solenne Rosewater Elara",
     "Hydrating Nourishing Gentle Fragrance-Free Vitamin-C Matte Volumizing Soothing Brightening",
     "Face_Cream Serum Shampoo Conditioner Body_Lotion Lip_Balm Sunscreen Cleanser Face_Mask "
     "Hair_Oil Mascara Foundation Eau_de_Parfum Hand_Cream Razor Hair_Dryer"},
    {"Toys & Games", 8, 22.0, 0.75, {78, 14, 5, 2, 1}, 0.8,
     "Tumbletown Brickwise Puzzlewood Starcub Wonderly Jollybee Kitebird Mossy_Oak_Toys Pipsqueak Gigglebox",
     "Wooden Magnetic Educational Remote-Control Plush Classic Deluxe Junior Glow-in-the-Dark",
     "Building_Set Puzzle Board_Game Card_Game Doll Action_Figure Race_Car Train_Set Teddy_Bear "
     "Science_Kit Art_Set Stacking_Blocks Kite Play_Tent Marble_Run"},
    {"Grocery", 7, 6.0, 0.55, {42, 24, 14, 10, 10}, 0.15,
     "Greenacre Farmhouse_Pantry Sunvale Harvest_Lane Golden_Mill Brookside Wildthyme Orchard_Row "
     "Little_Larder Meadowsweet",
     "Organic Whole-Grain Roasted Sea-Salt Dark Extra-Virgin Gluten-Free Wild Spiced Unsweetened",
     "Coffee_Beans Green_Tea Olive_Oil Pasta Granola Peanut_Butter Honey Dark_Chocolate Almonds Rice "
     "Oat_Milk Crackers Maple_Syrup Hot_Sauce Sparkling_Water Protein_Bars"},
    {"Health & Household", 7, 12.5, 0.6, {60, 20, 10, 5, 5}, 0.35,
     "Purewell Caremark Vitalis Clearday Homestead Fresh_Mint Baywood Medora Sanitas Brightday",
     "Extra-Strength Sensitive Unscented Eco Multi-Surface Daily Travel-Size Refill Family-Size",
     "Multivitamin Vitamin_D Fish_Oil Hand_Soap Laundry_Detergent Dish_Soap Paper_Towels Toothpaste "
     "Toothbrush First_Aid_Kit Thermometer Trash_Bags All-Purpose_Cleaner Tissues Pain_Relief_Tablets"},
    {"Automotive", 5, 30.0, 1.0, {84, 8, 3, 4, 1}, 0.9,
     "Roadmaster Gearline Torqueon Autovance Steelhorse Drivewell Motorix Highgear Pitlane Carbonex",
     "Heavy-Duty Universal All-Weather Digital Premium Magnetic LED Cordless Synthetic",
     "Car_Charger Phone_Mount Floor_Mats Seat_Covers Dash_Cam Tire_Inflator Jump_Starter Wiper_Blades "
     "Motor_Oil Car_Wax Headlight_Bulbs Tool_Kit Air_Freshener Sunshade Cargo_Organizer"},
};
/* clang-format on */
const unsigned ec_n_categories = sizeof ec_categories / sizeof ec_categories[0];

/* The ASCII letter of a two-byte UTF-8 Latin letter (U+00C0..U+017F):
 * "ss" for sharp s, "ae"/"oe"/"th" for the ligatures and thorn. */
static const char *fold_latin(unsigned cp)
{
    static const char *const latin1[64] = {
        /* C0 */ "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
        /* D0 */ "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "ss",
        /* E0 */ "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
        /* F0 */ "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "y",
    };
    /* U+0100..U+017F, one letter each ('*': the oe ligature) */
    static const char ext_a[] = "aaaaaa" "cccccccc" "dddd" "eeeeeeeeee" "gggggggg" "hhhh"
                                "iiiiiiiiii" "jjjj" "kkk" "llllllllll" "nnnnnnnnn" "oooooo" "**"
                                "rrrrrr" "ssssssss" "tttttt" "uuuuuuuuuuuu" "ww" "yyy" "zzzzzz" "s";
    static const char letters[] = "a\0b\0c\0d\0e\0f\0g\0h\0i\0j\0k\0l\0m\0n\0o\0p\0q\0r\0s\0t\0u\0v\0w\0x\0y\0z";
    _Static_assert(sizeof ext_a == 129, "one letter for each of U+0100..U+017F");
    if (cp >= 0xC0 && cp < 0x100)
        return latin1[cp - 0xC0];
    if (cp >= 0x100 && cp < 0x180) {
        char c = ext_a[cp - 0x100];
        return c == '*' ? "oe" : &letters[2 * (c - 'a')];
    }
    return "";
}

unsigned ec_ascii_fold(const char *utf8, char *out, unsigned cap)
{
    unsigned n = 0;
    for (const unsigned char *p = (const unsigned char *)utf8; *p;) {
        const char *add = "";
        char single[2] = {0, 0};
        if (*p < 0x80) {
            if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')) {
                single[0] = (char)(*p | 0x20);
                add = single;
            }
            p++;
        } else if ((*p & 0xE0) == 0xC0 && (p[1] & 0xC0) == 0x80) {
            add = fold_latin(((unsigned)(*p & 0x1F) << 6) | (p[1] & 0x3F));
            p += 2;
        } else {
            p++;
            while ((*p & 0xC0) == 0x80)
                p++;
        }
        for (; *add && n < cap; add++)
            out[n++] = *add;
    }
    out[n] = '\0';
    return n;
}
